#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// The one BLAS routine the encoder needs, over row-major matrices.
enum BLAS {
    /// `c[m×n] = alpha · op(a) · op(b) + beta · c`, where op transposes when asked; `lda`, `ldb`
    /// and `ldc` are the row strides in elements.
    @inline(__always)
    static func multiply(
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }

    /// Done once per process: BLAS runs on the calling thread only. The encoder spreads a batch
    /// over cores itself, sequence groups in parallel; OpenBLAS's own worker threads would spin
    /// (sched_yield) between the small calls and take those cores away from it.
    static let singleThreaded: Void = {
        #if !canImport(Accelerate)
        openblas_set_num_threads(1)
        #endif
    }()
}

/// Which BLAS kernels this process runs, so the program can say so when they are slow.
package enum BLASRuntime {
    /// "Accelerate" on Apple platforms; on Linux OpenBLAS's kernel name, e.g. "SkylakeX",
    /// "Haswell" or "Prescott".
    package static var kernelName: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
        #endif
    }

    /// True when OpenBLAS fell back to its generic SSE kernels, which it does on CPUs newer than
    /// it knows (Debian 12's OpenBLAS 0.3.21 on Intel Emerald Rapids, say): 5–6× slower matrix
    /// products. Setting `OPENBLAS_CORETYPE` (e.g. `SkylakeX` or `Haswell`) in the environment
    /// the program starts with picks the right ones; `scripts/openblas-coretype.sh` tells which.
    package static var isGenericKernel: Bool {
        ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Coppermine", "Northwood", "Banias",
         "Generic", "unknown"].contains(kernelName)
    }
}
