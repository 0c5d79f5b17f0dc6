import CHDF5
import Engine
import Foundation
import ModelIO
import TestSupport

/// The default model as Keras 3.15.1 saves it to a .keras file, made at test time: the
/// config.json Keras wrote for it (Fixtures/, copied from a real `model.save("x.keras")`) and a
/// model.weights.h5 with the real file's layout, filled with the .h5 model's weights, in a
/// stored zip archive.
enum KerasArchiveFixture {
    static let configURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/catsordogs-keras-3.15.1-config.json")

    /// Where the real file keeps each layer's variables, as h5py listed it.
    static let slots: [(slot: String, layer: String)] = [
        ("conv2d", "conv2d_12"), ("max_pooling2d", "max_pooling2d_12"), ("conv2d_1", "conv2d_13"),
        ("max_pooling2d_1", "max_pooling2d_13"), ("conv2d_2", "conv2d_14"), ("max_pooling2d_2", "max_pooling2d_14"),
        ("flatten", "flatten_4"), ("dense", "dense_8"), ("dense_1", "dense_9"),
    ]

    /// Writes the archive; `nameAttributes: false` leaves out the `name` attribute of each
    /// `vars` group (as Keras versions before it did); `members` edits the member list.
    static func write(to url: URL, nameAttributes: Bool = true,
                      members edit: ([(name: String, data: [UInt8])]) -> [(name: String, data: [UInt8])] = { $0 }) throws -> URL {
        let model = try ModelLoader.load(path: TestData.catsordogsModel.path)
        let weightsURL = url.deletingLastPathComponent().appendingPathComponent("model.weights.h5")
        try writeWeights(model, to: weightsURL, nameAttributes: nameAttributes)
        let members: [(name: String, data: [UInt8])] = [
            ("metadata.json", Array(#"{"keras_version": "3.15.1", "date_saved": "2026-11-26@02:10:29"}"#.utf8)),
            ("config.json", Array(try Data(contentsOf: configURL))),
            ("model.weights.h5", Array(try Data(contentsOf: weightsURL))),
        ]
        try Data(StoredZip.archive(edit(members))).write(to: url)
        return url
    }

    private static func writeWeights(_ model: Model, to url: URL, nameAttributes: Bool) throws {
        let file = H5Fcreate(url.path, dc_h5f_acc_trunc(), dc_h5p_default(), dc_h5p_default())
        precondition(file >= 0)
        defer { H5Fclose(file) }
        H5Gclose(H5Gcreate2(file, "layers", dc_h5p_default(), dc_h5p_default(), dc_h5p_default()))
        for (slot, layer) in slots {
            guard let node = model.graph.nodes.first(where: { $0.name == layer }) else { fatalError("no layer \(layer)") }
            H5Gclose(H5Gcreate2(file, "layers/\(slot)", dc_h5p_default(), dc_h5p_default(), dc_h5p_default()))
            let vars = H5Gcreate2(file, "layers/\(slot)/vars", dc_h5p_default(), dc_h5p_default(), dc_h5p_default())
            defer { H5Gclose(vars) }
            if nameAttributes { HDF5Fixture.writeString(layer, named: "name", to: vars, characterSet: H5T_CSET_UTF8) }
            for (index, ref) in node.weights.enumerated() {
                var dims = ref.shape.map { hsize_t($0) }
                let space = H5Screate_simple(Int32(dims.count), &dims, nil)
                let dataset = H5Dcreate2(vars, "\(index)", dc_h5t_native_float(), space, dc_h5p_default(), dc_h5p_default(), dc_h5p_default())
                model.weights.withUnsafeBufferPointer {
                    _ = H5Dwrite(dataset, dc_h5t_native_float(), dc_h5s_all(), dc_h5s_all(), dc_h5p_default(), $0.baseAddress! + ref.offset)
                }
                H5Dclose(dataset)
                H5Sclose(space)
            }
        }
    }
}
