import ArgumentParser
import Notebook
import Tensors

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// `fairgrpo notebook`: the tutorials as Jupyter notebooks, generated from
/// their Markdown, checked to be in sync, and compared after a run.
struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Write each Markdown tutorial as a Jupyter notebook beside it (FILE.md → FILE.ipynb).",
        discussion: """
            Prose becomes Markdown cells and each fg block a code cell for the fairgrpo \
            kernel, holding its expected output. Give the Markdown files as paths \
            relative to the repository root, from there: the notebook's first cell \
            moves the kernel to the root, where the tutorials' paths start. \
            --check writes nothing and fails when a notebook is missing or differs \
            from what its Markdown gives. --compare RUN.ipynb checks the outputs of \
            an executed notebook against the Markdown's output blocks, as \
            `fairgrpo doctest` checks them. Exit status: 0 ok, 1 out of date or \
            differing, 65 a file is not well-formed, 66 a file cannot be read.
            """)

    @Argument(help: "Markdown files (the tutorials).")
    var files: [String]

    @Flag(name: .long, help: "Fail when a notebook is missing or out of date; write nothing.")
    var check = false

    @Option(name: .long, help: ArgumentHelp("An executed notebook whose outputs to check against the one Markdown file given.", valueName: "run.ipynb"))
    var compare: String?

    func validate() throws {
        if compare != nil && files.count != 1 { throw ValidationError("--compare checks one executed notebook against one Markdown file") }
        if let bad = files.first(where: { !$0.hasSuffix(".md") }) { throw ValidationError("'\(bad)' is not a Markdown (.md) file") }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        if let compare { return try runCompare(compare, files[0]) }
        var stale: [String] = []
        for file in files {
            let markdown = try read(file)
            let target = String(file.dropLast(3)) + ".ipynb"
            let depth = file.split(separator: "/").count - 1
            let root = depth == 0 ? "." : Array(repeating: "..", count: depth).joined(separator: "/")
            let text: String
            do { text = try TutorialNotebook.notebook(markdown: markdown, file: file, root: root) }
            catch { Output.write("\(error)\n", to: stderr); throw ExitCode(65) }
            let current = try? FileIO.read(target)
            if current == Array(text.utf8) { continue }
            if check { stale.append(target); continue }
            try FileIO.writeAtomically(Array(text.utf8), to: target)
            print("wrote \(target)")
        }
        if !stale.isEmpty {
            for target in stale { print("\(target): out of date with its Markdown") }
            print("run: fairgrpo notebook \(files.joined(separator: " "))")
            throw ExitCode(1)
        }
        if check { print("\(files.count) notebook\(files.count == 1 ? "" : "s") in sync with their Markdown") }
    }

    private func read(_ path: String) throws -> String {
        do { return String(decoding: try FileIO.read(path), as: UTF8.self) }
        catch { Output.write("fairgrpo: cannot read \(error)\n", to: stderr); throw ExitCode(66) }
    }

    private func runCompare(_ executedPath: String, _ file: String) throws {
        let markdown = try read(file)
        let executed: JSON
        do { executed = try JSON.parse(try read(executedPath)) }
        catch let e as JSON.ParseError { fputs("\(executedPath): not a notebook: \(e)\n", stderr); throw ExitCode(65) }
        let result: (checked: Int, failures: [Doctest.Failure])
        do { result = try TutorialNotebook.compare(executed: executed, markdown: markdown, file: file) }
        catch { Output.write("\(error)\n", to: stderr); throw ExitCode(65) }
        for failure in result.failures { print(failure) }
        print("\(file) (as a notebook): \(result.checked - result.failures.count)/\(result.checked) cells matched")
        if !result.failures.isEmpty { throw ExitCode(1) }
    }
}
