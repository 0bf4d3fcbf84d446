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
}
