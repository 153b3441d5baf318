# Project code is built with all warnings as errors; postern_warnings is linked
# privately by every project target so third-party headers are not affected.
add_library(postern_warnings INTERFACE)
target_compile_options(postern_warnings INTERFACE -Wall -Wextra -Werror -Wno-missing-field-initializers)
