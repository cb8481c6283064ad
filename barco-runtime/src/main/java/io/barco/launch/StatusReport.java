package io.barco.launch;

/**
 * What the helper reported on its status pipe, read as untrusted data: the container's pid (one PID
 * record at most), the first failure, and what is wrong with the report if it is not one the helper
 * writes. Until its execve the helper's child runs in the container's namespaces, so the bytes are
 * checked before anything acts on them.
 */
record StatusReport(int pid, StatusRecord error, String problem) {
    /** PID, the child's ERROR and the parent's ERROR are all a helper ever writes: more is not its report. */
    static final int MAX_RECORDS = 4;

    static StatusReport parse(byte[] bytes) {
        int pid = 0;
        int pids = 0;
        StatusRecord error = null;
        String problem = null;
        if (bytes.length % StatusRecord.SIZE != 0) {
            problem = bytes.length + " bytes, no whole number of " + StatusRecord.SIZE + "-byte records";
        } else if (bytes.length / StatusRecord.SIZE > MAX_RECORDS) {
            problem = bytes.length / StatusRecord.SIZE + " records, more than " + MAX_RECORDS;
        }
        for (int off = 0;
                off + StatusRecord.SIZE <= bytes.length && off < MAX_RECORDS * StatusRecord.SIZE;
                off += StatusRecord.SIZE) {
            StatusRecord record = StatusRecord.decode(bytes, off);
            if (record.kind() == StatusRecord.PID) {
                if (++pids > 1 && problem == null) {
                    problem = "a second PID record";
                } else if (record.value() <= 0 && problem == null) {
                    problem = "PID record with pid " + record.value();
                } else if (pids == 1) {
                    pid = record.value();
                }
            } else if (record.kind() == StatusRecord.ERROR) {
                if (error == null) {
                    error = record;
                }
            } else if (problem == null) {
                problem = "record of unknown kind " + record.kind();
            }
        }
        return new StatusReport(pid, error, problem);
    }

    /** How far the setup got, for a message. */
    String describe() {
        return pid > 0
                ? "the container's first process " + pid + " had not exec'd"
                : "the helper had not started the container's process";
    }
}
