package io.backydb.keys;

import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.AddSecretVersionRequest;
import com.google.cloud.secretmanager.v1.CreateSecretRequest;
import com.google.cloud.secretmanager.v1.DeleteSecretRequest;
import com.google.cloud.secretmanager.v1.ListSecretsRequest;
import com.google.cloud.secretmanager.v1.ListSecretsResponse;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.cloud.secretmanager.v1.SecretVersion;
import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;

/**
 * A local gRPC server implementing the Secret Manager v1 API methods BackyDB uses (CreateSecret,
 * AddSecretVersion, AccessSecretVersion, ListSecrets, DeleteSecret) in memory, for the real Google
 * client over plaintext on 127.0.0.1. The service definition is built from the v1 protobuf messages
 * (the generated gRPC stub artifact is not needed). Test code only.
 */
public final class FakeSecretManagerServer implements AutoCloseable {

  static final String SERVICE = "google.cloud.secretmanager.v1.SecretManagerService";

  /** Secret name (projects/p/secrets/s) to its versions' payloads. */
  private final Map<String, List<SecretPayload>> secrets = new ConcurrentSkipListMap<>();

  private volatile boolean denyAll;
  private final Server server;

  public FakeSecretManagerServer() throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(definition())
            .build()
            .start();
  }

  private ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(
            method(
                "CreateSecret",
                CreateSecretRequest.getDefaultInstance(),
                Secret.getDefaultInstance()),
            ServerCalls.asyncUnaryCall(this::createSecret))
        .addMethod(
            method(
                "AddSecretVersion",
                AddSecretVersionRequest.getDefaultInstance(),
                SecretVersion.getDefaultInstance()),
            ServerCalls.asyncUnaryCall(this::addSecretVersion))
        .addMethod(
            method(
                "AccessSecretVersion",
                AccessSecretVersionRequest.getDefaultInstance(),
                AccessSecretVersionResponse.getDefaultInstance()),
            ServerCalls.asyncUnaryCall(this::accessSecretVersion))
        .addMethod(
            method(
                "ListSecrets",
                ListSecretsRequest.getDefaultInstance(),
                ListSecretsResponse.getDefaultInstance()),
            ServerCalls.asyncUnaryCall(this::listSecrets))
        .addMethod(
            method(
                "DeleteSecret",
                DeleteSecretRequest.getDefaultInstance(),
                Empty.getDefaultInstance()),
            ServerCalls.asyncUnaryCall(this::deleteSecret))
        .build();
  }

  private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(
      String name, Q request, R response) {
    return MethodDescriptor.<Q, R>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(ProtoUtils.marshaller(request))
        .setResponseMarshaller(ProtoUtils.marshaller(response))
        .build();
  }

  /** {@code host:port}, as GCP_SECRET_MANAGER_ENDPOINT takes it. */
  public String endpoint() {
    return InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
  }

  /** From now on, answer every call with PERMISSION_DENIED. */
  public void denyAll() {
    denyAll = true;
  }

  /** The payloads of a secret's versions, oldest first (for assertions). */
  public List<String> versions(String project, String secretId) {
    List<SecretPayload> v = secrets.get("projects/" + project + "/secrets/" + secretId);
    return v == null ? List.of() : v.stream().map(p -> p.getData().toStringUtf8()).toList();
  }

  boolean exists(String project, String secretId) {
    return secrets.containsKey("projects/" + project + "/secrets/" + secretId);
  }

  private boolean denied(StreamObserver<?> out) {
    if (denyAll) {
      out.onError(
          Status.PERMISSION_DENIED
              .withDescription("Permission 'secretmanager.versions.access' denied")
              .asRuntimeException());
    }
    return denyAll;
  }

  public void createSecret(CreateSecretRequest req, StreamObserver<Secret> out) {
    if (denied(out)) {
      return;
    }
    String name = req.getParent() + "/secrets/" + req.getSecretId();
    if (secrets.putIfAbsent(name, new ArrayList<>()) != null) {
      out.onError(Status.ALREADY_EXISTS.withDescription(name + " exists").asRuntimeException());
      return;
    }
    out.onNext(req.getSecret().toBuilder().setName(name).build());
    out.onCompleted();
  }

  public void addSecretVersion(AddSecretVersionRequest req, StreamObserver<SecretVersion> out) {
    if (denied(out)) {
      return;
    }
    List<SecretPayload> versions = secrets.get(req.getParent());
    if (versions == null) {
      out.onError(Status.NOT_FOUND.withDescription(req.getParent()).asRuntimeException());
      return;
    }
    int n;
    synchronized (versions) {
      versions.add(req.getPayload());
      n = versions.size();
    }
    out.onNext(
        SecretVersion.newBuilder()
            .setName(req.getParent() + "/versions/" + n)
            .setState(SecretVersion.State.ENABLED)
            .build());
    out.onCompleted();
  }

  public void accessSecretVersion(
      AccessSecretVersionRequest req, StreamObserver<AccessSecretVersionResponse> out) {
    if (denied(out)) {
      return;
    }
    String name = req.getName();
    int at = name.lastIndexOf("/versions/");
    List<SecretPayload> versions = at < 0 ? null : secrets.get(name.substring(0, at));
    if (versions == null || versions.isEmpty()) {
      out.onError(Status.NOT_FOUND.withDescription(name + " not found").asRuntimeException());
      return;
    }
    String v = name.substring(at + "/versions/".length());
    int n;
    synchronized (versions) {
      n = v.equals("latest") ? versions.size() : Integer.parseInt(v);
      if (n < 1 || n > versions.size()) {
        out.onError(Status.NOT_FOUND.withDescription(name + " not found").asRuntimeException());
        return;
      }
      out.onNext(
          AccessSecretVersionResponse.newBuilder()
              .setName(name.substring(0, at) + "/versions/" + n)
              .setPayload(versions.get(n - 1))
              .build());
    }
    out.onCompleted();
  }

  public void listSecrets(ListSecretsRequest req, StreamObserver<ListSecretsResponse> out) {
    if (denied(out)) {
      return;
    }
    ListSecretsResponse.Builder r = ListSecretsResponse.newBuilder();
    secrets.keySet().stream()
        .filter(n -> n.startsWith(req.getParent() + "/secrets/"))
        .forEach(n -> r.addSecrets(Secret.newBuilder().setName(n)));
    out.onNext(r.setTotalSize(r.getSecretsCount()).build());
    out.onCompleted();
  }

  public void deleteSecret(DeleteSecretRequest req, StreamObserver<Empty> out) {
    if (denied(out)) {
      return;
    }
    if (secrets.remove(req.getName()) == null) {
      out.onError(Status.NOT_FOUND.withDescription(req.getName()).asRuntimeException());
      return;
    }
    out.onNext(Empty.getDefaultInstance());
    out.onCompleted();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
