package io.backydb.camel.service;

import io.backydb.backup.BackupResult;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;

/**
 * Consumers of backup and restore requests: a message whose body is a JSON or YAML config, on any
 * Camel endpoint ({@code backy.requests.backup.uri}, {@code backy.requests.restore.uri}). The run's
 * result (the same JSON as its final event) becomes the reply and is sent to {@code
 * backy.requests.result.uri} when set. A failed run is a result, not a redelivery.
 */
final class RequestRoutes extends RouteBuilder {

  private final ServiceSettings settings;

  RequestRoutes(ServiceSettings settings) {
    this.settings = settings;
  }

  @Override
  public void configure() {
    String result = settings.get(ServiceSettings.REQUESTS_RESULT_URI).orElse(null);
    settings
        .get(ServiceSettings.REQUESTS_BACKUP_URI)
        .ifPresent(
            uri ->
                from(uri)
                    .routeId("backup-requests")
                    .process(e -> handle(e, "direct:backup", result)));
    settings
        .get(ServiceSettings.REQUESTS_RESTORE_URI)
        .ifPresent(
            uri ->
                from(uri)
                    .routeId("restore-requests")
                    .process(e -> handle(e, "direct:restore", result)));
  }

  private ProducerTemplate producer;

  private synchronized ProducerTemplate producer() {
    if (producer == null) {
      producer = getContext().createProducerTemplate();
    }
    return producer;
  }

  private void handle(Exchange request, String target, String resultUri) {
    String config = request.getMessage().getBody(String.class);
    Exchange run =
        producer()
            .send(
                target,
                e -> {
                  e.getMessage().setBody(config);
                  e.setProperty(RunRecorder.TRIGGER, request.getFromRouteId());
                });
    RunRecord record = run.getProperty(RunRecorder.RUN, RunRecord.class);
    String json;
    if (record == null) {
      json =
          "{\"event\":\"request.failed\",\"error\":"
              + com.fasterxml.jackson.databind.node.TextNode.valueOf(
                  run.getException() == null ? "no run" : RunRecorder.reason(run.getException()))
              + "}";
    } else {
      Object body = run.getMessage().getBody();
      json =
          RunRecorder.eventJson(
              record,
              run.getException() == null && body instanceof BackupResult r ? r.metadata() : null);
    }
    request.getMessage().setBody(json);
    if (resultUri != null) {
      producer().sendBody(resultUri, json);
    }
  }
}
