/**
 * Implementation of the serde package: the REST client and its cache, the registry logic shared by {@code mock://}
 * scopes and the in-memory server, the server's HTTP routing, and wire-format helpers. Nothing here is API: it may
 * change in any release.
 */
package dev.grustream.serde.internals;
