import ArgumentParser
import Pipeline

/// `mpirun -np N dogcat-mpi [options]`: classify photos into cats and dogs with a Keras
/// model, every rank taking its share. The options are `RunOptions`; the work is `Pipeline.run`.
@main
struct DogCat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dogcat-mpi",
        abstract: "Sort photos into classes with a trained Keras CNN, spread over MPI ranks.",
        discussion: "Run under mpirun: mpirun -np 2 dogcat-mpi --input photos/ --output out/")

    @OptionGroup var options: RunOptions

    func run() throws {
        let status = Pipeline.run(options)
        if status != 0 { throw ExitCode(status) }
    }
}
