package dev.inflight.engine.plan;

import java.util.List;

/**
 * What a plan tells people about the table as it is now. The hash leaves it out: the size moves
 * with every write (and the disk warning quotes it), and approving a plan approves what it will do,
 * not how large the table was when it was read.
 */
public record Report(long estimatedRows, long tableBytes, List<String> warnings) {}
