import CProcessLaunch
import Foundation
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// A peer process under a watchdog: started in its own process group with piped stdout and stderr, read without
/// blocking, and ended with SIGTERM then SIGKILL (to the whole group) when it outstays its deadline.
public final class ChildProcess {
    public enum Termination: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        public var description: String {
            switch self {
            case .exited(let code): "exit status \(code)"
            case .signaled(let signal): "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
            }
        }
    }

    public let pid: pid_t
    public let commandLine: String
    private var stdoutDescriptor: Int32
    private var stderrDescriptor: Int32
    /// The write end of the child's stdin when it was given input; held open until the child ends, so that a tool
    /// which ends its session at end of input (s_client) waits for its peer instead.
    private var stdinDescriptor: Int32 = -1
    private var stdoutCapture: BoundedCapture
    private var stderrCapture: BoundedCapture
    public private(set) var termination: Termination?
    /// Set when the watchdog had to end the process (it outstayed its deadline).
    public private(set) var killedByWatchdog = false
    /// Set when the harness ended it on purpose (a server that serves for ever, a peer no longer needed).
    public private(set) var stoppedByHarness = false

    /// How often a launch that met a busy executable (ETXTBSY) is tried, 5 ms apart.
    static let busyExecutableAttempts = 40

    /// Starts `executable` with `arguments`; nothing is inherited but the environment. Its stdin is /dev/null, or a
    /// pipe holding `input` and left open. It dies with the thread that started it (see `process_launch`).
    /// `captureLimit` bounds what is kept of each output stream (head and tail).
    /// `inheriting` is a descriptor the child gets as its descriptor 3 (a listening socket the runner bound for it);
    /// with `endingInput` the child reads end of file after `input` instead of a pipe held open. `environment`
    /// replaces this process's environment for the child.
    public init(
        executable: String, arguments: [String], input: [UInt8]? = nil, endingInput: Bool = false, captureLimit: Int = 16 << 20,
        inheriting: Int32? = nil, environment: [String: String]? = nil
    ) throws {
        // A cell still starting peers when the run was stopped must not start more: the stop has killed the others.
        if let signal = RunInterruption.signal { throw ChildProcessError("the run was stopped by signal \(signal)", 0) }
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        var inputPipe: [Int32] = [-1, -1]
        // Close-on-exec everywhere: cells start children from several threads at once, and a pipe end inherited by
        // another cell's child would keep this one's end-of-file from arriving.
        defer { for descriptor in [output[1], errors[1], inputPipe[0]] where descriptor >= 0 { Glibc.close(descriptor) } }
        guard process_launch_pipe(&output) == 0, process_launch_pipe(&errors) == 0 else {
            for descriptor in output + errors where descriptor >= 0 { Glibc.close(descriptor) }
            throw ChildProcessError("pipe", errno)
        }
        if input != nil {
            guard process_launch_pipe(&inputPipe) == 0 else {
                [output[0], errors[0]].forEach { _ = Glibc.close($0) }
                throw ChildProcessError("pipe", errno)
            }
        } else {
            inputPipe[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { envp?.forEach { free($0) } }
        var child: pid_t = -1
        for attempt in 1...Self.busyExecutableAttempts {
            child = envp.map { envp in process_launch(executable, argv, envp, inputPipe[0], output[1], errors[1], inheriting ?? -1) }
                ?? process_launch(executable, argv, environ, inputPipe[0], output[1], errors[1], inheriting ?? -1)
            // ETXTBSY: a script written a moment ago is still open for writing in a child another thread is starting
            // (its fork copied the descriptor; its exec will close it). Start again shortly.
            guard child <= 0, errno == ETXTBSY, attempt < Self.busyExecutableAttempts else { break }
            usleep(5_000)
        }
        guard child > 0 else {
            let code = errno
            for descriptor in [output[0], errors[0], inputPipe[1]] where descriptor >= 0 { Glibc.close(descriptor) }
            throw ChildProcessError("cannot start \(executable)", code)
        }
        if let input, !input.isEmpty {
            // Small inputs only: they fit the pipe's buffer, so this write cannot block.
            _ = input.withUnsafeBytes { write(inputPipe[1], $0.baseAddress, $0.count) }
        }
        if endingInput && inputPipe[1] >= 0 {
            Glibc.close(inputPipe[1])
            inputPipe[1] = -1
        }
        stdinDescriptor = inputPipe[1]
        pid = child
        commandLine = ([executable] + arguments).joined(separator: " ")
        stdoutDescriptor = output[0]
        stderrDescriptor = errors[0]
        stdoutCapture = BoundedCapture(headLimit: captureLimit, tailLimit: min(captureLimit, 1 << 20))
        stderrCapture = BoundedCapture(headLimit: captureLimit, tailLimit: min(captureLimit, 1 << 20))
        for descriptor in [stdoutDescriptor, stderrDescriptor] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        ChildProcessRegistry.shared.add(pid)
    }

    deinit {
        if termination == nil { _ = stop(grace: .milliseconds(200)) }
        closePipes()
    }

    public var standardOutput: [UInt8] { stdoutCapture.bytes }
    public var standardError: [UInt8] { stderrCapture.bytes }
    public var standardOutputText: String { String(decoding: standardOutput, as: UTF8.self) }
    public var standardErrorText: String { String(decoding: standardError, as: UTF8.self) }

    /// Bytes the child printed beyond what the capture keeps (both streams).
    public var droppedOutputBytes: Int { stdoutCapture.droppedBytes + stderrCapture.droppedBytes }

    /// How it was started and ended, with its stderr, as reports list a peer: `NAME: COMMAND`, `ended: …`, `stderr: …`.
    public func account(as name: String, commandLine shown: String? = nil) -> String {
        let stderr = standardErrorText.trimmingCharacters(in: .whitespacesAndNewlines)
        return "\(name): \(shown ?? commandLine)\n  ended: \(termination.map(\.description) ?? "running")"
            + (stderr.isEmpty ? "" : "\n  stderr: \(stderr)")
    }

    /// Whether the process has ended, looking (without waiting) at its pipes and its status.
    public var hasEnded: Bool {
        drainAndReap()
        return termination != nil
    }

    /// Complete lines printed so far.
    public var lines: [String] {
        standardOutputText.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// Waits until a complete line satisfies `predicate` (on stdout, or on either stream), the process ends, or
    /// the deadline passes.
    public func waitForLine(
        deadline: ContinuousClock.Instant, includingStandardError: Bool = false, where predicate: (String) -> Bool
    ) -> String? {
        while true {
            let text = includingStandardError ? standardOutputText + "\n" + standardErrorText : standardOutputText
            let complete = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            if let line = complete.map(String.init).first(where: predicate) { return line }
            if termination != nil || ContinuousClock.now >= deadline { return nil }
            pump(until: deadline)
        }
    }

    /// Waits for every process to end by the deadline; those still running are then terminated, unless
    /// `terminateLeftovers` is false.
    public static func waitAll(_ processes: [ChildProcess], deadline: ContinuousClock.Instant, terminateLeftovers: Bool = true) {
        while processes.contains(where: { $0.termination == nil }) && ContinuousClock.now < deadline {
            let running = processes.filter { $0.termination == nil }
            var descriptors = running.flatMap { [$0.stdoutDescriptor, $0.stderrDescriptor] }
                .filter { $0 >= 0 }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            // Pipes close when a process exits, which wakes the poll; with every pipe already closed only the
            // reaping is left, so poll again soon. 10 ms bounds the wait when a grandchild holds a pipe open.
            _ = poll(&descriptors, nfds_t(descriptors.count), descriptors.isEmpty ? 1 : 10)
            running.forEach { $0.drainAndReap() }
        }
        for process in processes where terminateLeftovers && process.termination == nil {
            _ = process.terminate(grace: .milliseconds(500))
        }
        processes.forEach { $0.drainAndReap() }
    }

    /// Runs a short helper (`dpkg-deb`, a probe of this executable) to its end under the watchdog, which stops it
    /// after `limit`.
    public static func runToEnd(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, limit: Duration = .seconds(60)
    ) throws -> ChildProcess {
        let process = try ChildProcess(executable: executable, arguments: arguments, environment: environment)
        waitAll([process], deadline: ContinuousClock.now.advanced(by: limit))
        return process
    }

    /// Ends a process the harness no longer needs (not a fault of the process): SIGTERM, then SIGKILL after `grace`.
    @discardableResult
    public func stop(grace: Duration) -> Termination {
        if termination == nil { stoppedByHarness = true }
        return end(grace: grace)
    }

    /// The watchdog's stop: the process outstayed its deadline. SIGTERM to the process group, then SIGKILL after
    /// `grace`; returns how the process ended.
    @discardableResult
    public func terminate(grace: Duration) -> Termination {
        if termination == nil { killedByWatchdog = true }
        return end(grace: grace)
    }

    private func end(grace: Duration) -> Termination {
        if let termination { return termination }
        kill(-pid, SIGTERM)
        let end = ContinuousClock.now.advanced(by: grace)
        while termination == nil && ContinuousClock.now < end {
            pump(until: end)
        }
        if termination == nil {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            record(status)
        }
        drainAndReap()
        return termination!
    }

    private func pump(until deadline: ContinuousClock.Instant) {
        var descriptors = [stdoutDescriptor, stderrDescriptor].filter { $0 >= 0 }
            .map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let remaining = ContinuousClock.now.duration(to: deadline)
        let milliseconds = max(0, min(10, Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)))
        _ = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        drainAndReap()
    }

    private func drainAndReap() {
        drain(&stdoutDescriptor, into: &stdoutCapture)
        drain(&stderrDescriptor, into: &stderrCapture)
        guard termination == nil else { return }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { record(status) }
    }

    private func record(_ status: Int32) {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift cannot import as macros.
        let signal = status & 0x7F
        termination = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
        ChildProcessRegistry.shared.remove(pid)
        if stdinDescriptor >= 0 {
            Glibc.close(stdinDescriptor)
            stdinDescriptor = -1
        }
        drain(&stdoutDescriptor, into: &stdoutCapture)
        drain(&stderrDescriptor, into: &stderrCapture)
    }

    private func drain(_ descriptor: inout Int32, into capture: inout BoundedCapture) {
        guard descriptor >= 0 else { return }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count > 0 {
                chunk.withUnsafeBufferPointer { capture.append(UnsafeBufferPointer(rebasing: $0[0..<count])) }
            } else if count == 0 {
                Glibc.close(descriptor)
                descriptor = -1
                return
            } else {
                return
            }
        }
    }

    private func closePipes() {
        for descriptor in [stdoutDescriptor, stderrDescriptor, stdinDescriptor] where descriptor >= 0 { Glibc.close(descriptor) }
        stdoutDescriptor = -1
        stderrDescriptor = -1
        stdinDescriptor = -1
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public var call: String
    public var code: Int32

    init(_ call: String, _ code: Int32) {
        self.call = call
        self.code = code
    }

    public var description: String { code == 0 ? call : "\(call) failed: \(String(cString: strerror(code)))" }
}

/// Every peer process still running, so that an interrupted run can end them all before it exits.
public final class ChildProcessRegistry: @unchecked Sendable {
    // The lock guards `live`; the registry is shared with the signal handler's queue.
    private let lock = NSLock()
    private var live: Set<pid_t> = []

    public static let shared = ChildProcessRegistry()

    func add(_ pid: pid_t) {
        lock.withLock { _ = live.insert(pid) }
    }

    func remove(_ pid: pid_t) {
        lock.withLock { _ = live.remove(pid) }
    }

    public var running: Set<pid_t> {
        lock.withLock { live }
    }

    /// SIGKILL to every live peer's process group.
    public func killAll() {
        for pid in running { kill(-pid, SIGKILL) }
    }
}
