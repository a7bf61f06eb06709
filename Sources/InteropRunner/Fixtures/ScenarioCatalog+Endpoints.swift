import InteropCore

/// One endpoint of a scenario as fixtures write it: steps, transport, faults, DTLS timers and the libraries' own
/// settings, each refused by name when unknown.
extension ScenarioCatalog {
    static func parseEndpoint(_ entry: FixtureReader?, defaultSteps: [EndpointAction], role: EndpointRole) throws -> EndpointSpec {
        guard let entry else { return EndpointSpec(steps: defaultSteps) }
        try entry.allowOnly(
            Set(["alpn", "transport", "steps", "faults", "datagrams", "dtlsTimeoutMs", "cookieExchange", "renegotiation", "dtlsMTU", "resume", "sessionTickets", "postHandshakeAuth", "earlyData", "maxEarlyData", "quicIdleTimeoutMs"]
                + entry.libraries.optionOwners.map(\.optionsKey)))
        var steps: [EndpointAction] = []
        for text in try entry.strings("steps", default: defaultSteps.map(\.description)) {
            guard let step = EndpointAction(parsing: text) else {
                if text.contains("(") && !text.contains(")") {
                    throw entry.error("steps", "has '\(text)': a step with a comma must be quoted in YAML, e.g. \"readInChunks(100, pollFirst)\"")
                }
                throw entry.error(
                    "steps", "has unknown step '\(text)' (known: \(EndpointAction.vocabulary.joined(separator: ", ")))")
            }
            steps.append(step)
        }
        let transport = try entry.optionalString("transport") ?? "native"
        let styles: [String: InterposedTransport.CallbackStyle?] = [
            "native": nil, "interposed": .classic, "interposed-ex": .extended,
        ]
        guard let style = styles[transport] else {
            throw entry.error("transport", "is '\(transport)'; known: native, interposed, interposed-ex")
        }
        let datagramFaults = try parseDatagramFaults(entry.nested("datagrams"))
        if datagramFaults.dropOnceClosing && role != .client {
            throw entry.error("datagrams", "has dropOnceClosing, a client fault: the runner tells the relay when the client starts its shutdown")
        }
        var spec = EndpointSpec(
            alpn: try entry.strings("alpn", default: []), interposedStyle: style, faults: try parseFaults(entry.nested("faults")),
            datagramFaults: datagramFaults, dtlsTimeout: try parseTimeout(entry),
            cookieExchange: try entry.bool("cookieExchange", default: false),
            libraryOptions: try parseLibraryOptions(entry), steps: steps)
        if let text = try entry.optionalString("renegotiation") {
            guard let policy = RenegotiationPolicy(rawValue: text) else {
                throw entry.error("renegotiation", "is '\(text)'; use accept or refuse")
            }
            spec.renegotiation = policy
        }
        if entry.has("dtlsMTU") {
            let mtu = try entry.int("dtlsMTU", default: 1200)
            guard (200...1200).contains(mtu) else { throw entry.error("dtlsMTU", "is \(mtu); use 200…1200 bytes") }
            spec.dtlsMTU = mtu
        }
        spec.resume = try entry.bool("resume", default: false)
        spec.sessionTickets = try entry.bool("sessionTickets", default: false)
        if let text = try entry.optionalString("postHandshakeAuth") {
            guard let offer = ClientCertificateOffer(rawValue: text) else {
                throw entry.error("postHandshakeAuth", "is '\(text)'; use withCertificate, withoutCertificate, neverAnswers or none")
            }
            spec.clientCertificateOffer = offer
        }
        if let text = try entry.optionalString("earlyData") {
            let allowed = EarlyDataPolicy.allCases.filter { $0.isServerPolicy == (role == .server) }.map(\.rawValue)
            guard let policy = EarlyDataPolicy(rawValue: text), allowed.contains(text) else {
                throw entry.error("earlyData", "is '\(text)'; a \(role.rawValue) takes \(allowed.joined(separator: " or "))")
            }
            spec.earlyData = policy
        }
        if entry.has("maxEarlyData") {
            let size = try entry.int("maxEarlyData", default: 16384)
            guard (1...Self.maximumPayload).contains(size) else { throw entry.error("maxEarlyData", "is \(size); use 1…\(Self.maximumPayload) bytes") }
            spec.maxEarlyData = size
        }
        if entry.has("quicIdleTimeoutMs") {
            // OpenSSL's listener hands out connections after their handshake, too late to set theirs; the client's
            // request bounds both ends (RFC 9000 §10.1: each uses the smaller of the two).
            guard role == .client else { throw entry.error("quicIdleTimeoutMs", "is a client setting: the smaller of both sides' applies") }
            let milliseconds = try entry.int("quicIdleTimeoutMs", default: 30_000)
            guard (100...600_000).contains(milliseconds) else { throw entry.error("quicIdleTimeoutMs", "is \(milliseconds); use 100…600000") }
            spec.quicIdleTimeoutMilliseconds = milliseconds
        }
        return spec
    }

    /// `openssl: {partialWrite: true}`: each library's own settings, checked against the options its plug-in
    /// declares, kept as text for its backend to read.
    static func parseLibraryOptions(_ entry: FixtureReader) throws -> [String: LibraryOptionValues] {
        var result: [String: LibraryOptionValues] = [:]
        for plugin in entry.libraries.optionOwners {
            guard let options = try entry.nested(plugin.optionsKey) else { continue }
            try options.allowOnly(Set(plugin.options.map(\.name)))
            var values: [String: String] = [:]
            for option in plugin.options where options.has(option.name) {
                let text = try options.string(option.name)
                if let problem = option.problem(with: text) { throw options.error(option.name, problem) }
                values[option.name] = text
            }
            result[plugin.optionsKey] = LibraryOptionValues(values)
        }
        return result
    }

    /// `dtlsTimeoutMs`: a number of milliseconds, or `default` for the library's own timer; absent means 20 ms in
    /// cells that lose datagrams on purpose and the library's default elsewhere.
    static func parseTimeout(_ entry: FixtureReader) throws -> DTLSTimeoutChoice {
        guard entry.has("dtlsTimeoutMs") else { return .automatic }
        let text = try entry.string("dtlsTimeoutMs")
        if text == "default" { return .libraryDefault }
        guard let value = Int(text), value >= 1, value <= 60_000 else {
            throw entry.error("dtlsTimeoutMs", "is '\(text)'; use 1…60000 or default")
        }
        return .fixed(.milliseconds(value))
    }

    static func parseDatagramFaults(_ entry: FixtureReader?) throws -> DatagramFaults {
        guard let entry else { return .none }
        try entry.allowOnly(["drop", "duplicate", "reorder", "dropProbability", "corrupt", "lateByOnePoll", "dropOnceClosing"])
        var named: [String: Set<DTLSMessage>] = [:]
        func ordinals(_ key: String) throws -> Set<Int> {
            var result: Set<Int> = []
            for text in try entry.strings(key, default: []) {
                // Each also takes a DTLS message by name: its first transmission is hit, whatever its ordinal.
                if let message = DTLSMessage(rawValue: text) {
                    named[key, default: []].insert(message)
                    continue
                }
                guard let value = Int(text), value >= 1 else {
                    throw entry.error(
                        key, "has '\(text)'; use an ordinal from 1 or a DTLS message (\(DTLSMessage.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                result.insert(value)
            }
            return result
        }
        var faults = DatagramFaults(drop: try ordinals("drop"), duplicate: try ordinals("duplicate"), reorder: try ordinals("reorder"))
        faults.dropMessages = named["drop"] ?? []
        faults.duplicateMessages = named["duplicate"] ?? []
        faults.reorderMessages = named["reorder"] ?? []
        for text in try entry.strings("corrupt", default: []) {
            guard let message = DTLSMessage(rawValue: text) else {
                throw entry.error("corrupt", "has '\(text)'; name a DTLS message (\(DTLSMessage.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            faults.corruptMessages.insert(message)
        }
        for text in try entry.strings("lateByOnePoll", default: []) {
            guard let message = DTLSMessage(rawValue: text) else {
                throw entry.error(
                    "lateByOnePoll", "has '\(text)'; name a DTLS message (\(DTLSMessage.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            faults.lateMessages.insert(message)
        }
        faults.dropOnceClosing = try entry.bool("dropOnceClosing", default: false)
        if let text = try entry.optionalString("dropProbability") {
            guard let value = Double(text), value >= 0, value < 1 else {
                throw entry.error("dropProbability", "is '\(text)'; use 0 <= p < 1")
            }
            faults.dropProbability = value
        }
        return faults
    }

    static func parseFaults(_ entry: FixtureReader?) throws -> FaultPlan {
        guard let entry else { return .none }
        try entry.allowOnly(["readEAGAIN", "writeEAGAIN", "maxRead", "maxWrite", "cuts"])
        var plan = FaultPlan()
        for (key, isRead) in [("readEAGAIN", true), ("writeEAGAIN", false)] {
            guard let text = try entry.optionalString(key) else { continue }
            guard let pattern = FaultPattern(parsing: text) else {
                throw entry.error(key, "is '\(text)'; use never, 'every N' (N >= 2) or 'p=0.3' (0 <= p < 1)")
            }
            if isRead { plan.readRefusals = pattern } else { plan.writeRefusals = pattern }
        }
        for key in ["maxRead", "maxWrite"] where entry.has(key) {
            let value = try entry.int(key, default: 0)
            guard value > 0, value <= Self.maximumPayload else { throw entry.error(key, "is \(value); use 1…\(Self.maximumPayload)") }
            if key == "maxRead" { plan.maxReadChunk = value } else { plan.maxWriteChunk = value }
        }
        if let cuts = try entry.optionalString("cuts") {
            guard cuts == "random" else { throw entry.error("cuts", "is '\(cuts)'; use random (reads cut and joined where the seed says)") }
            plan.randomCuts = true
        }
        return plan
    }

    static func parseExpectation(_ entry: FixtureReader) throws -> Expectation {
        try entry.allowOnly(Set(ObservedField.allCases.map(\.rawValue)))
        var fields: [ObservedField: ExpectedValue] = [:]
        for field in ObservedField.allCases where entry.has(field.rawValue) {
            let value: ExpectedValue
            if entry.isList(field.rawValue) {
                value = .oneOf(try entry.strings(field.rawValue))
            } else {
                value = .exactly(try entry.string(field.rawValue))
            }
            let candidates: [String] = switch value {
            case .exactly(let text): [text]
            case .oneOf(let texts): texts
            }
            for text in candidates {
                if let problem = field.problem(with: text) {
                    throw entry.error(field.rawValue, "'\(text)' \(problem)")
                }
            }
            fields[field] = value
        }
        guard !fields.isEmpty else { throw entry.error("", "must name at least one field") }
        return Expectation(fields)
    }
}
