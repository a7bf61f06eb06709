import Foundation
import InteropCore
import InteropRunner
import Testing

/// `--library-config system` and `--config LIBRARY=FILE`: the endpoints use the libraries' system-wide defaults
/// and the policy files given, the reports say so, and a policy that changes the libraries' behaviour changes cells.
@Suite struct LibraryConfigurationTests {
    let binary = PackagePaths.executable

    func run(_ arguments: [String], in directory: TemporaryDirectory, named name: String) throws -> (ProcessResult, ResultsDocument?) {
        let reports = directory.path + "/" + name
        let result = try runProgram(binary, ["run", "--filter", "H1", "--mode", "in-process", "--protocol", "tls1.3", "--reports", reports] + arguments)
        return (result, try? ResultsDocument.load(reports + "/results.json"))
    }

    func failed(_ results: ResultsDocument?) -> [String] {
        (results?.cells ?? []).filter { $0.status == .failed }.map(\.id).sorted()
    }

    /// GnuTLS's policy file can disable a version outright; TLS 1.3 cells with a GnuTLS endpoint then fail.
    @Test func aGnuTLSPolicyFileChangesTheCellsItShould() throws {
        let directory = try TemporaryDirectory()
        let policy = try directory.write("gnutls.conf", "[overrides]\ndisabled-version = tls1.3\n")
        let (withPolicy, results) = try run(["--config", "gnutls=\(policy)"], in: directory, named: "policy")
        #expect(withPolicy.status == 1)
        #expect(failed(results) == [
            "H1/gnutls-gnutls/tls1.3/in-process", "H1/gnutls-openssl/tls1.3/in-process", "H1/openssl-gnutls/tls1.3/in-process",
        ])
        #expect(results?.libraries["gnutls"]?.hasSuffix("(system configuration \(policy))") == true)
        #expect(results?.libraries["openssl"]?.hasSuffix("(system configuration)") == true)
        let (plain, plainResults) = try run([], in: directory, named: "harness")
        #expect(plain.status == 0)
        #expect(plainResults?.libraries["gnutls"]?.contains("configuration") == false)
    }

    /// OpenSSL's configuration file sets defaults the harness does not override (here the TLS 1.3 suites): the
    /// OpenSSL endpoints offer only one GnuTLS does not enable, and the mixed pairs end in handshake_failure.
    @Test func anOpenSSLConfigurationFileChangesTheCellsItShould() throws {
        let directory = try TemporaryDirectory()
        let policy = try directory.write(
            "openssl.cnf",
            "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = system_default_sect\n"
                + "[system_default_sect]\nCiphersuites = TLS_AES_128_CCM_8_SHA256\n")
        let (result, results) = try run(["--config", "openssl=\(policy)"], in: directory, named: "policy")
        #expect(result.status == 1)
        // OpenSSL 3.5 (make test-3.5, test-quic) no longer completes a handshake with CCM_8 alone even between its own
        // endpoints (measured); 3.0 does, so only the mixed pairs fail there.
        let mixed = ["H1/gnutls-openssl/tls1.3/in-process", "H1/openssl-gnutls/tls1.3/in-process"]
        let onOpenSSL30 = results?.libraries["openssl"]?.contains("OpenSSL 3.0.") == true
        #expect(failed(results) == (onOpenSSL30 ? mixed : mixed + ["H1/openssl-openssl/tls1.3/in-process"]))
        #expect(results?.cells.first { $0.id == "H1/openssl-gnutls/tls1.3/in-process" }?.observed["clientHandshake"] == "alertReceived(40)")
        #expect(results?.libraries["openssl"]?.hasSuffix("(system configuration \(policy))") == true)
    }

    @Test func badConfigurationsAreRefusedByName() throws {
        let directory = try TemporaryDirectory()
        let cases: [([String], String)] = [
            (["--config", "gnutls=\(directory.path)/missing.conf"], "--config gnutls=\(directory.path)/missing.conf: cannot read"),
            (["--config", "nss=/etc/hosts"], "unknown library 'nss'"),
            (["--config", "gnutls=/etc/hosts", "--config", "gnutls=/etc/hosts"], "gnutls is given twice"),
            (["--config", "gnutls"], "use LIBRARY=FILE"),
        ]
        for (arguments, message) in cases {
            let (result, results) = try run(arguments, in: directory, named: "bad-\(abs(message.hashValue))")
            #expect(result.status == 2, "\(arguments)")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
            #expect(results == nil)
        }
        let unknown = try runProgram(binary, ["run", "--filter", "H1", "--library-config", "mine"])
        #expect(unknown.status == 2)
    }

    /// A call newer than some build is looked up when the harness runs; a missing one is named with its version.
    @Test func callsNewerThanABuildAreLookedUpAndNamedWhenMissing() {
        #expect(RuntimeCall("gnutls_set_default_priority_append", since: "GnuTLS 3.6.3").missingReason(in: "GnuTLS 3.7.9") == nil)
        #expect(RuntimeCall("gnutls_call_from_the_future", since: "GnuTLS 9.9").missingReason(in: "GnuTLS 3.7.9")
            == "gnutls_call_from_the_future is absent from the linked GnuTLS 3.7.9 (it arrived in GnuTLS 9.9)")
    }
}
