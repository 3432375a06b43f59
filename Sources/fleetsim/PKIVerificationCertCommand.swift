import ArgumentParser
import FleetPKI
import Foundation
import X509

/// `fleetsim pki verification-cert`: the certificate a cloud asks for to prove that whoever
/// registers one of the PKI's CAs holds its key (see ``VerificationCertificate``).
struct PKIVerificationCertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verification-cert",
        abstract: "Prove holding a CA key: a certificate with CN = the cloud's verification code, signed by that CA.",
        discussion: """
            For registering a CA with Azure IoT Hub (the certificate's Verify step) or AWS IoT Core \
            (register-ca-certificate --verification-cert): upload the certificate written here. Its own \
            key is not written (neither cloud asks for it), and it is not a device of the fleet.
            """
    )

    @OptionGroup var location: PKIDirectoryOption

    @Option(
        help: ArgumentHelp(
            "The verification (registration) code the cloud shows for the CA: 1–64 printable ASCII characters.",
            valueName: "code"
        )
    )
    var code: String

    @Option(
        help: ArgumentHelp(
            "Where to write the certificate (default: <dir>/verification-<code>.pem).",
            valueName: "file"
        )
    )
    var out: String?

    @Option(help: "The CA whose key signs it: issuing (the one that signs the devices) or root.")
    var ca: CARole = .issuing

    func run() async throws {
        let layout = PKILayout(directory: self.location.directory)
        let code: VerificationCode
        let authority: CertificateAuthority
        let certificate: Certificate
        let path: String
        do {
            code = try VerificationCode(self.code)
            authority = try PrivatePKI.authority(self.ca, in: self.location.directory)
            certificate = try VerificationCertificate.issue(code: code, by: authority)
            path = self.out ?? layout.verificationCertificate(code)
            try AtomicFile.write(PEMText.encode([certificate]), to: path)
        } catch let error as PKIError {
            throw InputError(error)
        } catch let error as AtomicFile.WriteError {
            throw InputError(.cannotWrite, error.description, path: error.path)
        }
        let until = ISO8601DateFormatter.string(
            from: certificate.notValidAfter,
            timeZone: .gmt,
            formatOptions: [.withFullDate]
        )
        let caFile = layout.certificate(of: self.ca)
        print("wrote \(path): CN = \(code), valid until \(until), no key kept (only the certificate is uploaded)")
        print(
            "  signed by the \(self.ca) CA \(caFile) (\(DistinguishedNameText.format(authority.certificate.subject)))"
        )
        print(
            "next: upload \(path) as the verification certificate of \(caFile) (Azure IoT Hub: the CA "
                + "certificate's Verify step; AWS IoT Core: aws iot register-ca-certificate --ca-certificate "
                + "file://\(caFile) --verification-cert file://\(path))"
        )
    }
}
