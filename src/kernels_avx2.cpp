// The avx2 build of the matching kernels: the only place its instructions may appear.
#if !defined(__AVX2__)
#error "src/kernels_avx2.cpp must be compiled with -mavx2 (cmake/MtmatchIsaKernels.cmake)"
#endif
#include "kernels_impl.hpp"

namespace mtmatch::detail {

template void count_shared_tile::operator()<xsimd::avx2>(xsimd::avx2, const std::uint64_t*, std::size_t, std::size_t,
                                                        const std::uint64_t*, std::size_t, const word_plan&,
                                                        std::uint16_t*, std::size_t) const noexcept;
template void count_tile::operator()<xsimd::avx2>(xsimd::avx2, const std::uint64_t*, std::size_t, std::size_t,
                                                 const std::uint64_t*, std::size_t, const word_plan&,
                                                 std::uint16_t*, std::size_t) const noexcept;
template std::size_t select_rows::operator()<xsimd::avx2>(xsimd::avx2, const std::uint16_t*, const std::uint16_t*, std::size_t,
                                                 std::uint16_t, std::uint32_t*) const noexcept;
template void link_bound::operator()<xsimd::avx2>(xsimd::avx2, const link_side&, std::size_t, const link_side&, std::size_t, std::size_t,
                                          const word_plan&, const std::uint16_t*, const std::uint16_t*, const std::uint16_t*, std::uint64_t, std::uint16_t*,
                                          std::size_t) const noexcept;

}  // namespace mtmatch::detail
