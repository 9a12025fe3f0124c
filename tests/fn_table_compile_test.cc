// Compiled with -fsyntax-only, never linked, by three ctest cases
// (tests/CMakeLists.txt): it expands SWAPFUZZ_FUNCTIONS plus one new row with
// the expanders model/ uses. A row without its class column, or with an empty
// one, must not compile; the same row with every column must (the control,
// which shows that the failures come from the row and not from the setup).
#include <iterator>

#include "model/steps.h"

#if defined(SWAPFUZZ_TEST_ROW_WITHOUT_CLASS)
#define SWAPFUZZ_TEST_ROW(X) X(kNewFunction, "new_function", "mm/new.c", kInStep)
#elif defined(SWAPFUZZ_TEST_ROW_EMPTY_CLASS)
#define SWAPFUZZ_TEST_ROW(X) X(kNewFunction, "new_function", "mm/new.c", kInStep, )
#else
#define SWAPFUZZ_TEST_ROW(X) X(kNewFunction, "new_function", "mm/new.c", kInStep, kPerObject)
#endif

#define SWAPFUZZ_TEST_FUNCTIONS(X) SWAPFUZZ_FUNCTIONS(X) SWAPFUZZ_TEST_ROW(X)

namespace swapfuzz {

enum class TestFn : uint8_t { SWAPFUZZ_TEST_FUNCTIONS(SWAPFUZZ_FN_ENUMERATOR) kCount };
constexpr std::string_view kTestNames[] = {SWAPFUZZ_TEST_FUNCTIONS(SWAPFUZZ_FN_NAME)};
constexpr bool kTestHasMachine[] = {SWAPFUZZ_TEST_FUNCTIONS(SWAPFUZZ_FN_HAS_MACHINE)};
constexpr bool kTestShared[] = {SWAPFUZZ_TEST_FUNCTIONS(SWAPFUZZ_FN_SHARED)};
static_assert(std::size(kTestNames) == static_cast<size_t>(TestFn::kCount));
static_assert(std::size(kTestShared) == static_cast<size_t>(TestFn::kCount));
static_assert(!kTestHasMachine[static_cast<size_t>(TestFn::kNewFunction)]);
static_assert(!kTestShared[static_cast<size_t>(TestFn::kNewFunction)]);

}  // namespace swapfuzz
