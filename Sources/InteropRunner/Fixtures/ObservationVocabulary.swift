import InteropCore

/// Which texts each observed field can take, so that a fixture's typo is an error rather than a cell that can
/// never pass.
enum ObservationVocabulary {
    static func problem(with text: String, for field: ObservedField) -> String? {
        switch field {
        case .clientHandshake, .serverHandshake, .clientEndOfStream, .serverEndOfStream, .clientShutdown, .serverShutdown:
            let extra = ["completed", "noConnection", "notStarted", "notReached"]
            if extra.contains(text) || Outcome(parsing: text) != nil { return nil }
            return "is not an outcome (e.g. completed, eof(clean), alertReceived(120), localError, noConnection)"
        case .echoIntact, .deliveredToServer, .deliveredToClient:
            return ["true", "false"].contains(text) ? nil : "must be true or false"
        case .serverConnections:
            return Int(text) == nil ? "must be a number" : nil
        case .clientSetup:
            return ["ok", "localError"].contains(text) ? nil : "must be ok or localError"
        case .applicationData:
            return text == "none" ? nil : "can only be expected as none"
        case .alpnAgreement:
            return text == "agree" ? nil : "can only be expected as agree"
        case .retryOutcome:
            return text == "notInterrupted" || Outcome(parsing: text) != nil ? nil : "must be an outcome or notInterrupted"
        case .serverReceived:
            return ["original", "changed", "firstHalf", "longer", "none"].contains(text)
                ? nil : "must be original, changed, firstHalf, longer or none"
        case .writeAccounting:
            return text == "consistent" ? nil : "can only be expected as consistent"
        case .loopEnding:
            return ["completed", "timeout", "stalled"].contains(text) ? nil : "must be completed, timeout or stalled"
        case .datagramFaults:
            return text == "fired" ? nil : "can only be expected as fired"
        case .retransmitted:
            return ["true", "false"].contains(text) ? nil : "must be true or false"
        case .timerHazards:
            return text.isEmpty ? "must not be empty" : nil
        case .spuriousWaits:
            return text.isEmpty ? "must not be empty" : nil
        case .directionConsistency:
            return text == "consistent" ? nil : "can only be expected as consistent"
        case .clientProbes, .serverProbes:
            let valid = text.split(separator: ",").allSatisfy { item in
                let parts = item.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                return parts.count == 2 && ["probeRead", "probeWrite"].contains(String(parts[0]))
                    && Outcome(parsing: String(parts[1])) != nil
            }
            return valid ? nil : "must list probes like probeWrite=localError, probeRead=eof(clean)"
        case .clientLargestWrite:
            return text == "none" || Int(text) != nil ? nil : "must be a byte count or none"
        case .fatalAlertsReceived:
            // Valid exactly when it is the form observations write for the codes it names.
            let codes = text.split(separator: "(").dropFirst().compactMap { UInt8($0.prefix { $0.isNumber }) }
            return text == Expectation.fatalAlertsText(codes)
                ? nil : "must be none or alerts in code order like decode_error(50), no_application_protocol(120)"
        case .negotiatedALPN:
            return text.isEmpty ? "must not be empty (use none)" : nil
        }
    }
}
