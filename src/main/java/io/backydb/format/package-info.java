/**
 * The backup formats (see {@code docs/format.md}): the dump's bundle ({@link
 * io.backydb.format.BundleWriter}/{@link io.backydb.format.BundleReader}), the {@code .backy}
 * container — a versioned header ({@link io.backydb.format.BackyHeader}, frozen before the payload
 * starts because its authenticated form — all of it but the wrapped data keys, which key rotation
 * may re-wrap — is the encryption's associated data and covered by the integrity value), the
 * payload, and a fixed 48-byte trailer with end marker, payload length and integrity value, so
 * truncation is always detected — and the metadata sidecar ({@link
 * io.backydb.format.BackupMetadata}). A file of a newer format version is refused with "written by
 * a newer BackyDB (format N)"; every version ever written keeps a reader in {@link
 * io.backydb.format.BackyFormat}.
 */
package io.backydb.format;
