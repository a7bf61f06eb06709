/// A long trace cut down to what a reader of a passed cell needs: every step stays, with its first and last calls
/// and their raw values; the calls in the middle of a long step (hundreds of reads and writes and their retries in a
/// bulk cell) are counted, not listed. The whole trace is one rerun away (`tls-interop explain ID --rerun`).
public enum TraceSummary {
    /// Calls kept at each end of a step.
    public static let keptAtEachEnd = 3
    /// Traces this short are kept whole.
    public static let shortest = 24

    public static func summarized(_ record: ConnectionRecord) -> ConnectionRecord {
        guard record.trace.count > shortest else { return record }
        var kept: [TraceEntry] = []
        var omitted = 0
        var start = record.trace.startIndex
        while start < record.trace.endIndex {
            var end = start
            while end < record.trace.endIndex && record.trace[end].action == record.trace[start].action { end += 1 }
            let step = record.trace[start..<end]
            if step.count > 2 * keptAtEachEnd + 1 {
                kept += step.prefix(keptAtEachEnd)
                var tail = Array(step.suffix(keptAtEachEnd))
                tail[0].omittedBefore = step.count - 2 * keptAtEachEnd
                kept += tail
                omitted += step.count - 2 * keptAtEachEnd
            } else {
                kept += step
            }
            start = end
        }
        var summary = record
        summary.trace = kept
        summary.omittedTraceEntries = omitted
        return summary
    }
}
