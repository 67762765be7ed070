/**
 * The HTTP endpoints of a running instance: interactive queries of key states (forwarded to the instance holding
 * a key), the model being served, liveness and readiness derived from Kafka Streams' state, and Prometheus
 * metrics. {@link dev.grustream.http.GruStreamHttpServer} is the server; {@code openapi.yaml} on the classpath,
 * served at {@code /v1/openapi.yaml}, is the reference of the API.
 */
package dev.grustream.http;
