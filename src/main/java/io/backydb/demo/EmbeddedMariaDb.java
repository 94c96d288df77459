package io.backydb.demo;

/** TEMPORARY stub until the embedded branch lands. */
public final class EmbeddedMariaDb implements AutoCloseable {
  public static EmbeddedMariaDb start(java.nio.file.Path dir) throws java.io.IOException {
    throw new UnsupportedOperationException();
  }

  public static boolean isServerAnswering(String host, int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(host, port), 1000);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return 0;
  }

  @Override
  public void close() {}
}
