import Foundation
import InteropCore
import InteropRunner
import LibraryPlugins
import Testing

/// `--build LIBRARY=BUILD`: a directory or a `.deb` is a build the same harness binary runs against; the loaded
/// library is checked to be the build's, reports name it, and a bad build is refused by name before anything runs.
@Suite struct LibraryBuildTests {
    let binary = PackagePaths.executable
    /// The system's GnuTLS, as a real library file to lay out as another build.
    static let systemGnuTLS = LibraryRegistry.linked.plugin(for: TLSLibrary("gnutls"))!.sharedObjects[0].loadedPath!

    func copyOfSystemGnuTLS(into directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.systemGnuTLS, toPath: directory + "/libgnutls.so.30")
    }

    /// A binary package made with dpkg-deb around the system's library.
    func package(_ name: String, architecture: String = "amd64", in directory: TemporaryDirectory) throws -> String {
        let root = directory.path + "/pkg-\(name)-\(architecture)"
        try copyOfSystemGnuTLS(into: root + "/usr/lib/x86_64-linux-gnu")
        _ = try directory.write(
            "pkg-\(name)-\(architecture)/DEBIAN/control",
            "Package: \(name)\nVersion: 3.7.9-2+test1\nArchitecture: \(architecture)\nMaintainer: test <t@example.invalid>\nDescription: test\n")
        let file = directory.path + "/\(name)_\(architecture).deb"
        let built = try runProgram("/usr/bin/dpkg-deb", ["--build", root, file])
        #expect(built.status == 0, "\(built.standardError)")
        return file
    }

    @Test func aDirectoryIsABuildTheRunLoadsAndNames() throws {
        let directory = try TemporaryDirectory()
        try copyOfSystemGnuTLS(into: directory.path + "/prefix/lib")
        let shown = try runProgram(binary, ["libraries", "--build", "gnutls=\(directory.path)/prefix"])
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(shown.standardOutput.contains("libgnutls.so.30: \(directory.path)/prefix/lib/libgnutls.so.30"))
        // OpenSSL stays the one the harness is linked with (the system's, or a test track's 3.5).
        #expect(shown.standardOutput.contains("libssl.so.3: /") && !shown.standardOutput.contains("libssl.so.3: \(directory.path)"))
        let run = try runProgram(binary, [
            "run", "--filter", "H1", "--protocol", "tls1.3", "--mode", "in-process", "--mode", "out-of-process",
            "--build", "gnutls=\(directory.path)/prefix", "--reports", directory.path + "/reports",
        ])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        let results = try ResultsDocument.load(directory.path + "/reports/results.json")
        #expect(results.libraries["gnutls"]?.hasSuffix("(build \(directory.path)/prefix)") == true)
        #expect(results.libraries["openssl"]?.contains("build") == false)
        #expect(results.cells.count == 8)
    }

    @Test func aDebianPackageIsUnpackedNotInstalledAndLoaded() throws {
        let directory = try TemporaryDirectory()
        let file = try package("libgnutls30", in: directory)
        let shown = try runProgram(binary, ["libraries", "--build", "gnutls=\(file)"], in: directory.path)
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(shown.standardOutput.contains("(build \(file))"))
        #expect(shown.standardOutput.contains(
            "libgnutls.so.30: \(directory.path)/.deps/builds/debs/libgnutls30_3.7.9-2+test1_amd64/usr/lib/x86_64-linux-gnu/libgnutls.so.30"))
    }

    @Test func badBuildsAreRefusedByNameBeforeAnythingRuns() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/empty", withIntermediateDirectories: true)
        _ = try directory.write("broken/lib/libgnutls.so.30", "")
        let cases: [(String, String)] = [
            ("gnutls=\(directory.path)/missing", "does not exist"),
            ("gnutls=\(directory.path)/empty", "no libgnutls.so.30 in \(directory.path)/empty"),
            ("openssl=\(directory.path)/empty", "no libssl.so.3 in \(directory.path)/empty"),
            ("gnutls=\(try package("libfoo1", in: directory))", "ships libfoo1, not GnuTLS (libgnutls30 or libgnutls30t64)"),
            ("gnutls=\(try package("libgnutls30", architecture: "arm64", in: directory))", "is package libgnutls30 for arm64; this machine runs amd64"),
            ("gnutls=\(try directory.write("junk.deb", "junk"))", "junk.deb: dpkg-deb: error:"),
            ("gnutls=\(directory.path)/broken", "the harness cannot run with it: "),
            ("nss=\(directory.path)/empty", "unknown library 'nss' (known: openssl, gnutls)"),
            ("gnutls", "use LIBRARY=BUILD"),
            ("gnutls=debian:x", "'x' is not a version like 3.8"),
            // The temporary directory is not the repository: the source build's script is not there.
            ("gnutls=debian:3.8", "scripts/build-from-debian-source.sh is not here; run from the harness's repository"),
        ]
        for (build, message) in cases {
            let reports = directory.path + "/reports-\(abs(build.hashValue))"
            let run = try runProgram(binary, ["run", "--filter", "H1", "--build", build, "--reports", reports], in: directory.path)
            #expect(run.status == 2, "\(build)")
            #expect(run.standardError.contains(message), "\(build): \(run.standardError)")
            let junit = try String(contentsOfFile: reports + "/junit.xml", encoding: .utf8)
            #expect(junit.contains("configuration"), "\(build): no report")
            #expect(!FileManager.default.fileExists(atPath: reports + "/results.json"))
        }
        let twice = try runProgram(binary, ["libraries", "--build", "gnutls=system", "--build", "gnutls=system"])
        #expect(twice.status == 2)
        #expect(twice.standardError.contains("gnutls is given twice"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/.deps/builds/debs/libfoo1_3.7.9-2+test1_amd64"))
    }
}
