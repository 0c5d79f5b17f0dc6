import FileSystem
import Image
import Pipeline
import XCTest

final class FormattingTests: XCTestCase {
    func testCSVQuotesOnlyWhatRFC4180Needs() {
        XCTAssertEqual(CSV.row(["plain", "a,b", "say \"hi\"", "two\nlines", ""]), "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\n")
    }

    func testPathsThatAreNotUTF8AreEscapedReversibly() {
        let bytes: [UInt8] = Array("dir/caf".utf8) + [0xE9] + Array(".jpg \\ ok ü".utf8) + [0xFF, 0xC3]
        let path = RawPath(bytes: bytes)
        let text = path.displayText
        XCTAssertEqual(text, "dir/caf\\xE9.jpg \\\\ ok ü\\xFF\\xC3")
        XCTAssertEqual(RawPath(displayText: text), path)
        XCTAssertEqual(RawPath("plain/ascii.jpg").displayText, "plain/ascii.jpg")
    }

    func testSigmoidOutputUsesTheThreshold() {
        let classifier = Classifier(classes: ["cat", "dog"], threshold: 0.5, outputsAreProbabilities: true)
        XCTAssertTrue(classifier.classify([0.2]) == (0, 0.8))
        XCTAssertTrue(classifier.classify([0.5]) == (1, 0.5))
        XCTAssertNoThrow(try classifier.validate(outputCount: 1))
        XCTAssertThrowsError(try classifier.validate(outputCount: 3))
    }

    func testLogitsUseArgmaxAndSoftmaxScore() {
        let classifier = Classifier(classes: ["cat", "dog"], threshold: 0.5, outputsAreProbabilities: false)
        let (index, score) = classifier.classify([1.0, 3.0])
        XCTAssertEqual(index, 1)
        XCTAssertEqual(score, 1 / (1 + expf(-2)), accuracy: 1e-6)
    }
}
