import CHDF5
import Foundation

/// A read-only HDF5 file: string attributes and float datasets, which is all a Keras
/// file needs. Handles are closed in `defer`; every failed call becomes a `ModelError`
/// naming the object. The C functions are H5Fopen, H5Aread and H5Dread.
final class HDF5File {
    private let file: hid_t
    let path: String

    init(path: String) throws(ModelError) {
        HDF5File.silenceErrorStack()
        self.path = path
        file = H5Fopen(path, dc_h5f_acc_rdonly(), dc_h5p_default())
        if file < 0 { throw ModelError("\(path): cannot open as HDF5") }
    }

    /// An HDF5 file held in memory (a member of a .keras archive), named `path` in errors.
    init(image: Data, path: String) throws(ModelError) {
        HDF5File.silenceErrorStack()
        self.path = path
        let access = H5Pcreate(dc_h5p_file_access())
        defer { H5Pclose(access) }
        // The core driver with a file image: HDF5 reads its own copy of the bytes, no backing file.
        let opened = image.withUnsafeBytes { bytes in
            access >= 0 && H5Pset_fapl_core(access, 1 << 20, false) >= 0
                && H5Pset_file_image(access, UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) >= 0
        }
        file = opened ? H5Fopen(path, dc_h5f_acc_rdonly(), access) : -1
        if file < 0 { throw ModelError("\(path): cannot open as HDF5") }
    }

    deinit { H5Fclose(file) }

    /// HDF5 prints its error stack to stderr by default; our errors say what failed instead.
    private static let silenceErrorStack: () -> Void = {
        H5Eset_auto2(dc_h5e_default(), nil, nil)
        return {}
    }()

    func exists(_ objectPath: String) -> Bool {
        // H5Lexists needs every parent to exist, so walk down one link at a time.
        var prefix = ""
        for part in objectPath.split(separator: "/") {
            prefix += "/" + part
            if H5Lexists(file, prefix, dc_h5p_default()) <= 0 { return false }
        }
        return true
    }

    /// A string attribute (fixed or variable length), nil when absent.
    func stringAttribute(_ name: String, of objectPath: String = "/") throws(ModelError) -> String? {
        guard let values = try stringsAttribute(name, of: objectPath) else { return nil }
        guard values.count == 1 else { throw ModelError("\(path): attribute \(name) of \(objectPath) is not a single string") }
        return values[0]
    }

    /// A string or string-array attribute; an empty numeric array (Keras writes one
    /// for layers without weights) reads as no strings. Nil when absent.
    func stringsAttribute(_ name: String, of objectPath: String) throws(ModelError) -> [String]? {
        let object = H5Oopen(file, objectPath, dc_h5p_default())
        if object < 0 { return nil }
        defer { H5Oclose(object) }
        if H5Aexists(object, name) <= 0 { return nil }
        let attribute = H5Aopen(object, name, dc_h5p_default())
        if attribute < 0 { throw ModelError("\(path): cannot open attribute \(name) of \(objectPath)") }
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        defer { H5Tclose(type) }
        let space = H5Aget_space(attribute)
        defer { H5Sclose(space) }
        let count = Int(H5Sget_simple_extent_npoints(space))
        if H5Tget_class(type) != H5T_STRING {
            if count == 0 { return [] }
            throw ModelError("\(path): attribute \(name) of \(objectPath) is not text")
        }
        let memoryType = H5Tcopy(dc_h5t_c_s1())
        defer { H5Tclose(memoryType) }
        H5Tset_cset(memoryType, H5Tget_cset(type))   // h5py writes UTF-8; HDF5 does not convert between character sets
        if H5Tis_variable_str(type) > 0 {
            H5Tset_size(memoryType, dc_h5t_variable())
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            if H5Aread(attribute, memoryType, &pointers) < 0 {
                throw ModelError("\(path): cannot read attribute \(name) of \(objectPath)")
            }
            defer { H5Dvlen_reclaim(memoryType, space, dc_h5p_default(), &pointers) }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = H5Tget_size(type)
        H5Tset_size(memoryType, size)
        var bytes = [UInt8](repeating: 0, count: count * size + 1)
        if H5Aread(attribute, memoryType, &bytes) < 0 {
            throw ModelError("\(path): cannot read attribute \(name) of \(objectPath)")
        }
        return (0..<count).map { i in
            let field = bytes[(i * size)..<((i + 1) * size)].prefix { $0 != 0 }
            return String(decoding: field, as: UTF8.self)
        }
    }

    /// The names of a group's members, in HDF5's name order; [] when it is not a group.
    func memberNames(of groupPath: String) -> [String] {
        var info = H5G_info_t()
        guard H5Gget_info_by_name(file, groupPath, &info, dc_h5p_default()) >= 0 else { return [] }
        return (0..<info.nlinks).compactMap { index in
            let length = H5Lget_name_by_idx(file, groupPath, H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, dc_h5p_default())
            guard length >= 0 else { return nil }
            var name = [CChar](repeating: 0, count: Int(length) + 1)
            H5Lget_name_by_idx(file, groupPath, H5_INDEX_NAME, H5_ITER_INC, index, &name, name.count, dc_h5p_default())
            return String(cString: name)
        }
    }

    /// A dataset converted to float32 by HDF5 and appended to `values` in place; returns its
    /// shape. No array in between: a 15 MB dense kernel would cost a fresh 15 MB of page faults
    /// and a copy on the path every rank waits on.
    func floats(_ datasetPath: String, appendingTo values: inout [Float]) throws(ModelError) -> [Int] {
        let dataset = H5Dopen2(file, datasetPath, dc_h5p_default())
        if dataset < 0 { throw ModelError("\(path): weight dataset \(datasetPath) is missing") }
        defer { H5Dclose(dataset) }
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        let shape = dims.prefix(rank).map { Int($0) }
        let start = values.count, count = shape.reduce(1, *)
        if count == 0 { return shape }
        values.append(contentsOf: repeatElement(0, count: count))
        let status = values.withUnsafeMutableBufferPointer {
            H5Dread(dataset, dc_h5t_native_float(), dc_h5s_all(), dc_h5s_all(), dc_h5p_default(), $0.baseAddress! + start)
        }
        if status < 0 {
            throw ModelError("\(path): cannot read weights \(datasetPath) (truncated or corrupt file?)")
        }
        return shape
    }
}
