"""A trained pipeline at run time: how it is loaded (:mod:`.options`, :mod:`.loading`), its
transformer's window policy (:mod:`.windows`), int8 quantization (:mod:`.quantize`), ONNX Runtime
(:mod:`.onnxrt`), and reading components' outputs off processed docs (:mod:`.outputs`)."""
