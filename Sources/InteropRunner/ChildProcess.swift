import Foundation

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
    public private(set) var standardOutput: [UInt8] = []
    public private(set) var standardError: [UInt8] = []
    public private(set) var termination: Termination?
    /// Set when the watchdog had to end the process.
    public private(set) var killedByWatchdog = false

    /// Starts `executable` with `arguments`; nothing is inherited but the environment. Its stdin is /dev/null, or a
    /// pipe holding `input` and left open.
    public init(executable: String, arguments: [String], input: [UInt8]? = nil) throws {
        var output: [Int32] = [0, 0]
        var errors: [Int32] = [0, 0]
        var inputPipe: [Int32] = [-1, -1]
        guard pipe(&output) == 0, pipe(&errors) == 0 else { throw ChildProcessError("pipe", errno) }
        if input != nil {
            guard pipe(&inputPipe) == 0 else { throw ChildProcessError("pipe", errno) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input != nil {
            posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
            for descriptor in inputPipe { posix_spawn_file_actions_addclose(&actions, descriptor) }
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        for descriptor in output + errors { posix_spawn_file_actions_addclose(&actions, descriptor) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so that a kill reaches anything it started too.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        Glibc.close(output[1])
        Glibc.close(errors[1])
        if inputPipe[0] >= 0 { Glibc.close(inputPipe[0]) }
        guard status == 0 else {
            Glibc.close(output[0])
            Glibc.close(errors[0])
            if inputPipe[1] >= 0 { Glibc.close(inputPipe[1]) }
            throw ChildProcessError("posix_spawn \(executable)", status)
        }
        if let input, !input.isEmpty {
            // Small inputs only: they fit the pipe's buffer, so this write cannot block.
            _ = input.withUnsafeBytes { write(inputPipe[1], $0.baseAddress, $0.count) }
        }
        stdinDescriptor = inputPipe[1]
        pid = child
        commandLine = ([executable] + arguments).joined(separator: " ")
        stdoutDescriptor = output[0]
        stderrDescriptor = errors[0]
        for descriptor in [stdoutDescriptor, stderrDescriptor] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        ChildProcessRegistry.shared.add(pid)
    }

    deinit {
        if termination == nil { _ = terminate(grace: .milliseconds(200)) }
        closePipes()
    }

    public var standardOutputText: String { String(decoding: standardOutput, as: UTF8.self) }
    public var standardErrorText: String { String(decoding: standardError, as: UTF8.self) }

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

    /// SIGTERM to the process group, then SIGKILL after `grace`; returns how the process ended.
    @discardableResult
    public func terminate(grace: Duration) -> Termination {
        if let termination { return termination }
        killedByWatchdog = true
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
        drain(&stdoutDescriptor, into: &standardOutput)
        drain(&stderrDescriptor, into: &standardError)
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
        drain(&stdoutDescriptor, into: &standardOutput)
        drain(&stderrDescriptor, into: &standardError)
    }

    private func drain(_ descriptor: inout Int32, into buffer: inout [UInt8]) {
        guard descriptor >= 0 else { return }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
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
