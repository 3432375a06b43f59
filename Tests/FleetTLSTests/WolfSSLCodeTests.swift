import Testing

@testable import FleetTLS

/// The codes fleetsim classifies come from wolfSSL's headers; these are the numbers the library
/// really returns (WOLFSSL-NOTES.md, and the tables in `TLSFailure+Classification`). A header of
/// another build that disagrees fails here instead of misclassifying failures.
@Suite struct WolfSSLCodeTests {
    @Test func nativeCodesAgreeWithTheLibrarysNumbers() {
        let expected: [(Int32, Int32)] = [
            (WolfSSLCode.asnParse, -140), (WolfSSLCode.asnBeforeDate, -150), (WolfSSLCode.asnAfterDate, -151),
            (WolfSSLCode.asnSignatureConfirm, -155), (WolfSSLCode.asnNoSigner, -188), (WolfSSLCode.asnSelfSigned, -275),
            (WolfSSLCode.parseError, -306), (WolfSSLCode.unknownHandshakeType, -307), (WolfSSLCode.socketError, -308),
            (WolfSSLCode.unknownRecordType, -311), (WolfSSLCode.fatalAlert, -313),
            (WolfSSLCode.domainNameMismatch, -322),
            (WolfSSLCode.ipAddressMismatch, -325), (WolfSSLCode.versionError, -326), (WolfSSLCode.bufferError, -328),
            (WolfSSLCode.verifyCertificateError, -329), (WolfSSLCode.lengthError, -341), (WolfSSLCode.zeroReturn, -343),
            (WolfSSLCode.noPeerCertificate, -345), (WolfSSLCode.notCA, -357), (WolfSSLCode.crlRevoked, -361),
            (WolfSSLCode.crlMissing, -362), (WolfSSLCode.maxChain, -368), (WolfSSLCode.outOfOrder, -373),
            (WolfSSLCode.keyUsageSignature, -383), (WolfSSLCode.extendedKeyUsage, -386),
            (WolfSSLCode.sanityMessage, -394),
            (WolfSSLCode.peerClosed, -397), (WolfSSLCode.handshakeSize, -404), (WolfSSLCode.unknownALPNProtocol, -405),
            (WolfSSLCode.decode, -416),
            (WolfSSLCode.unsupportedSuite, -500), (WolfSSLCode.matchSuite, -501),
        ]
        for (constant, number) in expected {
            #expect(constant == number)
        }
    }

    @Test func verifyCodesAreOpenSSLsNumbering() {
        #expect(VerifyCode.notYetValid == 9)
        #expect(VerifyCode.expired == 10)
        #expect(VerifyCode.unableToGetIssuer == 2)
        #expect(VerifyCode.unableToGetIssuerLocally == 20)
        #expect(VerifyCode.unableToVerifyLeaf == 21)
        #expect(VerifyCode.depthZeroSelfSigned == 18)
        #expect(VerifyCode.selfSignedInChain == 19)
        #expect(VerifyCode.signatureFailure == 7)
        #expect(VerifyCode.revoked == 23)
        #expect(VerifyCode.isDateError(10) && VerifyCode.isDateError(Int(WolfSSLCode.asnBeforeDate)))
        #expect(!VerifyCode.isDateError(VerifyCode.unableToGetIssuerLocally))
    }
}
