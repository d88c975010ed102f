package dev.kafkadedup.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kafkadedup.config.DedupConfig;
import dev.kafkadedup.id.IdSource;
import dev.kafkadedup.store.FirstOccurrence;
import dev.kafkadedup.store.SeenIdStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code GET /ids/{id}}: is this ID in the seen-ID store, and where and when was it first seen. The
 * ID lives in one store partition, owned by one instance; Kafka Streams' metadata names it, and a
 * request that arrives elsewhere is proxied there (each instance advertises itself through {@code
 * kafka.application.server}). Without that setting Kafka Streams knows no owners: the query
 * searches this instance's partitions only, and a miss says so.
 */
final class IdQuery {
  /** Marks a proxied request, so that it is answered locally and never proxied in a loop. */
  static final String FORWARDED_HEADER = "X-Kafka-Dedup-Forwarded";

  private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(10);
  private static final Serializer<byte[]> BYTES = Serdes.ByteArray().serializer();

  /** An answer: HTTP status and JSON body. */
  record Answer(int status, String body) {}

  private final KafkaStreams streams;
  private final DedupConfig config;
  private final HostInfo self;
  private final BearerToken token;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(FORWARD_TIMEOUT).build();
  private final ObjectMapper json = new ObjectMapper();

  /** {@code token}: what this instance requires, and so what its peers do; null for none. */
  IdQuery(KafkaStreams streams, DedupConfig config, BearerToken token) {
    this.streams = streams;
    this.config = config;
    this.token = token;
    Object server = config.streamsProperties().get(StreamsConfig.APPLICATION_SERVER_CONFIG);
    this.self =
        server == null || server.toString().isBlank()
            ? null
            : HostInfo.buildFromEndpoint(server.toString());
  }

  Answer answer(String id, boolean forwarded) {
    if (config.idSource() == IdSource.JSON && config.idJsonPointers().size() > 1) {
      return error(400, id, "composite IDs (several id.json.pointers) cannot be queried by text");
    }
    byte[] rawId = id.getBytes(StandardCharsets.UTF_8);
    byte[] storeKey = config.idEncoding().encode(rawId);
    // The store is partitioned like its source topic: by the stored ID after a repartition, by
    // the record key (the ID) otherwise.
    byte[] partitionKey = config.repartitionById() ? storeKey : rawId;
    if (self == null) {
      return local(id, storeKey, null);
    }
    KeyQueryMetadata owner;
    try {
      owner = streams.queryMetadataForKey(SeenIdStore.NAME, partitionKey, BYTES);
    } catch (IllegalStateException e) {
      owner = KeyQueryMetadata.NOT_AVAILABLE;
    }
    if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
      return error(503, id, "the owner of this ID is not known now (" + streams.state() + ")");
    }
    if (!forwarded && !owner.activeHost().equals(self)) {
      return forward(owner.activeHost(), id);
    }
    return local(id, storeKey, owner.partition());
  }

  /** Looks the ID up in {@code partition} of the local store, or in every local one if null. */
  private Answer local(String id, byte[] storeKey, Integer partition) {
    FirstOccurrence latest = null;
    try {
      StoreQueryParameters<ReadOnlyKeyValueStore<byte[], byte[]>> query =
          StoreQueryParameters.fromNameAndType(
              SeenIdStore.NAME, QueryableStoreTypes.<byte[], byte[]>keyValueStore());
      latest =
          SeenIdStore.newest(
              streams.store(partition == null ? query : query.withPartition(partition)),
              storeKey,
              config.window());
    } catch (InvalidStateStoreException e) {
      return error(503, id, "the seen-ID store is not queryable on this instance now");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("seen", latest != null);
    if (partition != null) {
      body.put("partition", partition);
    } else if (latest == null) {
      body.put(
          "note",
          "searched this instance's partitions only; set kafka.application.server to route"
              + " queries to the owning instance");
    }
    if (latest != null) {
      Map<String, Object> first = new LinkedHashMap<>();
      first.put("time", Instant.ofEpochMilli(latest.time()).toString());
      first.put("topic", latest.topic());
      first.put("partition", latest.partition());
      first.put("offset", latest.offset());
      body.put("firstOccurrence", first);
    }
    return new Answer(latest != null ? 200 : 404, toJson(body));
  }

  private Answer forward(HostInfo owner, String id) {
    URI uri =
        URI.create(
            "http://"
                + owner.host()
                + ":"
                + owner.port()
                + "/ids/"
                + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(FORWARD_TIMEOUT).header(FORWARDED_HEADER, "true").GET();
    if (token != null) {
      request.header("Authorization", token.authorization());
    }
    try {
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      return error(502, id, "owner " + owner.host() + ":" + owner.port() + " did not answer");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return error(503, id, "interrupted");
    }
  }

  private Answer error(int status, String id, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("error", message);
    return new Answer(status, toJson(body));
  }

  private String toJson(Map<String, Object> body) {
    try {
      return json.writeValueAsString(body) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
