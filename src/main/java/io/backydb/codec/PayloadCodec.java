package io.backydb.codec;

import io.backydb.engine.DumpInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One compression of a {@code .backy} payload (see {@code docs/format.md}, "Payload"): turns the
 * dump's bundle stream into the payload and back into the dump's files. Encoders are push-style and
 * run on their own thread (see {@link PayloadCodecs#compress}); decoders are pull-style.
 */
public interface PayloadCodec {

  /**
   * The name in the config and the header: {@code none}, {@code zstd}, {@code zip}, {@code tar}.
   */
  String type();

  /** The level used for {@code configured} (null: the codec's default); rejects a bad level. */
  Integer level(Integer configured);

  /** Reads the bundle stream to its end and writes the payload to {@code out}. */
  void encode(InputStream bundle, OutputStream out, Integer level) throws IOException;

  /** Reads the dump's files back from a payload. */
  DumpInput decode(InputStream payload) throws IOException;
}
