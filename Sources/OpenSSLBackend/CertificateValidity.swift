internal import COpenSSL
import Foundation
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// Whether every certificate in a PEM file is valid now: an expired (or not yet valid) test certificate would
/// otherwise make every cell fail with alert 45 (certificate_expired), which reads as a library problem.
enum CertificateValidity {
    /// Throws naming the file, the certificate and the date when one is outside its validity period.
    static func check(_ file: String, role: String) throws(ConfigurationError) {
        guard let bio = BIO_new_file(file, "r") else { return }
        defer { BIO_free(bio) }
        while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
            defer { X509_free(certificate) }
            let subject = X509_NAME_oneline(X509_get_subject_name(certificate), nil, 0).map { text in
                defer { CRYPTO_free(text, #fileID, #line) }
                return String(cString: text)
            } ?? "?"
            if X509_cmp_current_time(X509_get0_notAfter(certificate)) < 0 {
                throw ConfigurationError(
                    "\(role) \(file): certificate \(subject) expired on \(date(X509_get0_notAfter(certificate))) "
                        + "(make certs writes new test certificates)")
            }
            if X509_cmp_current_time(X509_get0_notBefore(certificate)) > 0 {
                throw ConfigurationError(
                    "\(role) \(file): certificate \(subject) is not valid before \(date(X509_get0_notBefore(certificate))) "
                        + "(check the clock, or make certs writes new test certificates)")
            }
        }
        ERR_clear_error()
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> String {
        var parts = tm()
        guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else { return "?" }
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d UTC", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
