/**
 * Plug-ins that Kafka Streams loads by class name from the configuration (so the configuration can
 * name them without depending on the topology).
 */
package dev.kafkadedup.streams;
