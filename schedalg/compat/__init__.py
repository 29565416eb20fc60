"""Drop-in constructors named and parametrised as in other libraries, built from the algebra."""
