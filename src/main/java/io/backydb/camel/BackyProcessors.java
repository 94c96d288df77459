package io.backydb.camel;

import io.backydb.config.Environment;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Processor;
import org.apache.camel.spi.Registry;

/** The step names the routes in {@code routes/} refer to, and the processor behind each. */
public final class BackyProcessors {

  private BackyProcessors() {}

  public static Map<String, Processor> all(Environment env) {
    Map<String, Processor> steps = new LinkedHashMap<>();
    steps.put("backupConfig", new BackupConfigProcessor(env));
    steps.put("dump", new DumpProcessor());
    steps.put("compress", new CompressProcessor());
    steps.put("encrypt", new EncryptProcessor());
    steps.put("integrity", new IntegrityProcessor());
    steps.put("store", new StoreProcessor());
    steps.put("metadata", new MetadataProcessor());
    steps.put("retention", new RetentionProcessor());
    steps.put("restoreConfig", new RestoreConfigProcessor(env));
    steps.put("fetch", new FetchProcessor());
    steps.put("verify", new VerifyProcessor());
    steps.put("decrypt", new DecryptProcessor());
    steps.put("decompress", new DecompressProcessor());
    steps.put("apply", new ApplyProcessor());
    return steps;
  }

  public static void bindAll(Registry registry, Environment env) {
    all(env).forEach(registry::bind);
  }
}
