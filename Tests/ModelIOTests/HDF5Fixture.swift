import CHDF5
import Foundation
import ModelIO
import TestSupport

/// Broken variants of the real model file, made at test time with libhdf5: a copy with its
/// model_config rewritten or removed.
enum HDF5Fixture {
    static func copyOfDefaultModel(in directory: URL, name: String = "model.h5") throws -> URL {
        let url = directory.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.copyItem(at: TestData.catsordogsModel, to: url)
        return url
    }

    /// A copy whose model_config JSON is passed through `edit` (nil removes the attribute).
    static func model(in directory: URL, editingConfig edit: ((String) -> String)?) throws -> URL {
        let url = try copyOfDefaultModel(in: directory)
        let file = H5Fopen(url.path, dc_h5f_acc_rdwr(), dc_h5p_default())
        precondition(file >= 0)
        defer { H5Fclose(file) }
        let config = try readConfig(file)
        H5Adelete(file, "model_config")
        if let edit { writeString(edit(config), named: "model_config", to: file) }
        return url
    }

    private static func readConfig(_ file: hid_t) throws -> String {
        let attribute = H5Aopen(file, "model_config", dc_h5p_default())
        defer { H5Aclose(attribute) }
        let type = H5Tcopy(dc_h5t_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, dc_h5t_variable())
        var pointer: UnsafeMutablePointer<CChar>? = nil
        H5Aread(attribute, type, &pointer)
        defer { free(pointer) }
        return String(cString: pointer!)
    }

    /// A scalar variable-length string attribute (h5py writes a Python str as UTF-8).
    static func writeString(_ text: String, named name: String, to file: hid_t, characterSet: H5T_cset_t = H5T_CSET_ASCII) {
        let type = H5Tcopy(dc_h5t_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, dc_h5t_variable())
        H5Tset_cset(type, characterSet)
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(file, name, type, space, dc_h5p_default(), dc_h5p_default())
        defer { H5Aclose(attribute) }
        text.withCString { cString in
            var pointer: UnsafePointer<CChar>? = cString
            H5Awrite(attribute, type, &pointer)
        }
    }
}

/// What loading a model file says: "loaded", or the error's one line.
func loadingMessage(_ url: URL) -> String {
    do {
        _ = try ModelLoader.load(path: url.path)
        return "loaded"
    } catch {
        return "\(error)"
    }
}
