package dev.kafkadedup.tools;

import picocli.CommandLine.Option;

/** The shape of generated sample data, the same for the demo and the benchmark. */
final class SampleDataOptions {
  @Option(
      names = "--dup-ratio",
      defaultValue = "0.3",
      description = "Share of duplicates (default: ${DEFAULT-VALUE}).")
  double duplicateRatio;

  @Option(
      names = "--value-bytes",
      defaultValue = "200",
      description = "Size of each JSON value (default: ${DEFAULT-VALUE}).")
  int valueBytes;
}
