import CTurboJPEG
import Foundation

/// Whole-image decode with TurboJPEG (tjDecompress2, TJFLAG_FASTDCT like TensorFlow's
/// default): the reference the row-selective decoder is tested against.
func turboJPEGDecode(_ bytes: [UInt8]) -> (width: Int, height: Int, rgb: [UInt8])? {
    guard let handle = tjInitDecompress() else { return nil }
    defer { tjDestroy(handle) }
    var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
    var data = bytes
    guard tjDecompressHeader3(handle, &data, UInt(data.count), &width, &height, &subsampling, &colorspace) == 0 else { return nil }
    var rgb = [UInt8](repeating: 0, count: Int(width) * Int(height) * 3)
    guard tjDecompress2(handle, &data, UInt(data.count), &rgb, width, 0, height, Int32(TJPF_RGB.rawValue), TJFLAG_FASTDCT) == 0 else { return nil }
    return (Int(width), Int(height), rgb)
}
