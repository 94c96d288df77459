/**
 * {@code bin/backy run}: the long-running service around the backup and restore routes.
 *
 * <ul>
 *   <li>{@link io.backydb.camel.service.BackyService} — Camel Main, the built-in routes, settings;
 *   <li>{@link io.backydb.camel.service.RoutesFolder} — follows the routes folder file by file
 *       (add, replace, remove; broken files logged and skipped; running exchanges drained first);
 *   <li>{@link io.backydb.camel.service.RunRecorder} — a route policy on {@code backup} and {@code
 *       restore}: events, history records, metrics;
 *   <li>{@link io.backydb.camel.service.RequestRoutes} — backup/restore requests from any endpoint;
 *   <li>{@link io.backydb.camel.service.QuartzCluster} — clustered Quartz JDBC job store settings
 *       and tables.
 * </ul>
 *
 * <p>See docs/scheduling.md.
 */
package io.backydb.camel.service;
