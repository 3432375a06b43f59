/// The code a cloud hands out when a CA certificate is registered (Azure IoT Hub's verification
/// code, AWS IoT Core's registration code), checked before anything is signed.
///
/// It becomes the subject CN of the verification certificate, and the cloud compares that CN with
/// the code byte for byte: a code that could not be a CN, or that would silently differ from what
/// the cloud shows (a pasted control character, a stray space), is refused here rather than at the
/// cloud after a round trip.
public struct VerificationCode: Sendable, Hashable, CustomStringConvertible {
    /// X.520's upper bound for a common name (`ub-common-name`, RFC 5280 appendix A).
    public static let maximumLength = 64

    /// The code, exactly as given.
    public let value: String

    /// Checks `text`: 1–64 characters, printable ASCII only (letters, digits, punctuation, inner
    /// spaces). The clouds' codes are hexadecimal; ASCII keeps "64 characters" unambiguous.
    ///
    /// - Throws: ``PKIError`` `bad-verification-code`, saying which rule the code breaks.
    public init(_ text: String) throws(PKIError) {
        let scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty else {
            throw Self.refusal("is empty: give the verification (registration) code the cloud shows for the CA")
        }
        if let index = scalars.firstIndex(where: { !(0x20...0x7E).contains($0.value) }) {
            let scalar = scalars[index]
            let kind = scalar.value < 0x20 || scalar.value == 0x7F ? "a control character" : "a non-ASCII character"
            throw Self.refusal(
                "holds \(kind) (U+\(Self.hex(scalar.value))) at position \(index + 1): a verification code is "
                    + "printable ASCII only; copy it again exactly as the cloud shows it"
            )
        }
        guard scalars.first != " ", scalars.last != " " else {
            throw Self.refusal(
                "starts or ends with a space, which the cloud's code does not: copy it again without the spaces"
            )
        }
        guard scalars.count <= Self.maximumLength else {
            throw Self.refusal(
                "is \(scalars.count) characters, more than the \(Self.maximumLength) a certificate's common name "
                    + "can hold (X.520): copy the code exactly as the cloud shows it"
            )
        }
        self.value = text
    }

    public var description: String { self.value }

    /// The code as part of a file name: characters other than letters, digits, `-`, `_` and `.`
    /// become `_`, so that a code holding `/` or a space still names one plain file.
    public var fileNameComponent: String {
        String(
            self.value.unicodeScalars.map { scalar -> Character in
                switch scalar {
                case "A"..."Z", "a"..."z", "0"..."9", "-", "_", ".": Character(scalar)
                default: "_"
                }
            }
        )
    }

    private static func refusal(_ reason: String) -> PKIError {
        PKIError(.badVerificationCode, "--code \(reason)")
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
