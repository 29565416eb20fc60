"""pytest set-up shared by the test suite (tests/) and the docstring examples
(``python -m pytest --doctest-modules schedalg``): environment only, no names for the examples
(each example imports what it uses, as a user pasting it would)."""

import os

# Keras reads its backend once, at its first import: the tests and the examples run it on JAX
# (tensorflow, Keras' default, is not a test dependency).
os.environ.setdefault("KERAS_BACKEND", "jax")
