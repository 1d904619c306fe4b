package dev.inflight.lab.chaos;

import java.nio.file.Path;

/**
 * What every trial of a run shares.
 *
 * @param rows rows in the table at the start of each trial
 * @param work a directory for migration files, logs and the small disk's mount point
 */
record ChaosSettings(long rows, Path work) {}
