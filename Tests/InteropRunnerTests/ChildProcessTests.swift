import Foundation
import InteropRunner
import Synchronization
import Testing

/// The child-process primitive under the watchdog: output kept within bounds however much a child prints, and no
/// child outliving the thread (in a run: the runner) that started it.
@Suite struct ChildProcessTests {
    @Test func aChildPrintingHundredsOfMegabytesKeepsHeadAndTailWithinTheBound() throws {
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "echo START; head -c 200000000 /dev/zero; echo END"])
        ChildProcess.waitAll([child], deadline: .now.advanced(by: .seconds(30)))
        #expect(child.termination == .exited(0))
        let kept = child.standardOutput
        #expect(kept.count < 18 << 20, "\(kept.count) bytes kept")
        #expect(kept.starts(with: Array("START\n".utf8)))
        #expect(kept.suffix(4) == Array("END\n".utf8)[...])
        #expect(child.droppedOutputBytes == 200_000_010 - (16 << 20) - (1 << 20))
        #expect(child.standardOutputText.contains("bytes of output dropped here"))
    }

    @Test func aChildDiesWithTheThreadThatStartedIt() throws {
        let started = Mutex<pid_t?>(nil)
        let thread = Thread {
            let child = try? ChildProcess(executable: "/bin/sleep", arguments: ["600"])
            started.withLock { $0 = child?.pid }
            // Leaves the child running: the thread ends, as a killed runner's would.
            if let child { Unmanaged.passRetained(child) }
        }
        thread.start()
        #expect(ProcessTable.wait(upTo: .seconds(5)) { started.withLock { $0 } != nil })
        let pid = try #require(started.withLock { $0 })
        #expect(ProcessTable.wait(upTo: .seconds(5)) { !ProcessTable.isAlive(pid) }, "sleep \(pid) outlived its thread")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect(status & 0x7F == SIGKILL)
    }

    /// A script still open for writing somewhere (another thread's child between fork and exec holds the descriptor
    /// its parent was writing with) cannot be executed yet (ETXTBSY): the launch waits and tries again.
    @Test func aScriptStillOpenForWritingIsStartedOnceItIsClosed() throws {
        let directory = try TemporaryDirectory()
        let script = try directory.write("busy.sh", "#!/bin/sh\necho started\n")
        chmod(script, 0o755)
        let writer = open(script, O_WRONLY)
        try #require(writer >= 0)
        Thread.detachNewThread {
            usleep(50_000)
            close(writer)
        }
        let child = try ChildProcess(executable: script, arguments: [])
        ChildProcess.waitAll([child], deadline: .now.advanced(by: .seconds(5)))
        #expect(child.termination == .exited(0))
        #expect(child.standardOutputText == "started\n")
    }
}
