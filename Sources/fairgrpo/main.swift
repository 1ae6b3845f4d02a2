import Tensors
print(BLAS.coreName)
