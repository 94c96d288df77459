package io.backydb.codec;

import io.backydb.engine.DumpInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** {@code none}: the bundle as it is (an encrypted but uncompressed backup). */
final class NoCompression implements PayloadCodec {

  @Override
  public String type() {
    return "none";
  }

  @Override
  public Integer level(Integer configured) {
    return null;
  }

  @Override
  public void encode(InputStream bundle, OutputStream out, Integer level) throws IOException {
    bundle.transferTo(out);
  }

  @Override
  public DumpInput decode(InputStream payload) throws IOException {
    return PayloadCodecs.bundle(payload);
  }
}
