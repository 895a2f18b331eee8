package dev.readmit.profiles.replay;

/**
 * One attempt to send one planned request. Confined to its client's event loop.
 *
 * @param client the client that sends it
 * @param request the planned request
 * @param number attempt number, 1 for the first
 * @param scheduledNanos intended send time ({@link System#nanoTime()} scale); latency is measured from
 *     it, never from the actual send
 */
record Attempt(ClientRunner client, PlannedRequest request, int number, long scheduledNanos) {}
