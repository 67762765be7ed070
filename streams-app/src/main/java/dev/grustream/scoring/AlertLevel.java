package dev.grustream.scoring;

/** What an observation's anomaly score calls for. */
public enum AlertLevel {
    /** No alert: below the threshold, still warming up, or suppressed. */
    NONE,
    /** An alert: the score reached the alert threshold. */
    WARNING,
    /** An alert: the score also reached the critical threshold. */
    CRITICAL
}
