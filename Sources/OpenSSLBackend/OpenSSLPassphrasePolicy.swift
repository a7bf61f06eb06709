internal import COpenSSL

/// The harness never asks for a passphrase: OpenSSL's default callback prompts on the controlling terminal when a
/// key is encrypted, which would hang an unattended run. This callback answers "no passphrase" and notes, in the
/// flag its user data points at, that one was wanted, so the error can say the key is encrypted.
let openSSLRefusePassphrase: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = {
    _, _, _, asked in
    asked?.storeBytes(of: true, as: Bool.self)
    return 0
}

extension OpenSSLBackend {
    /// Installs the refusing callback on `context`; `asked` (which must outlive the key loading) is set when a
    /// passphrase was wanted.
    static func refusePassphrases(on context: OpaquePointer?, asked: UnsafeMutablePointer<Bool>?) {
        SSL_CTX_set_default_passwd_cb(context, openSSLRefusePassphrase)
        SSL_CTX_set_default_passwd_cb_userdata(context, asked.map { UnsafeMutableRawPointer($0) })
    }
}
