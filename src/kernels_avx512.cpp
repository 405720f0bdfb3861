// The avx512 build of the matching kernels: the only place its instructions may appear.
#if !defined(__AVX512F__) || !defined(__AVX512VPOPCNTDQ__)
#error "src/kernels_avx512.cpp must be compiled with -mavx512f -mavx512vpopcntdq (cmake/MtmatchIsaKernels.cmake)"
#endif
#include "kernels_impl.hpp"

namespace mtmatch::detail {

template void count_shared_tile::operator()<xsimd::avx512bw>(xsimd::avx512bw, const std::uint64_t*, std::size_t, std::size_t,
                                                        const std::uint64_t*, std::size_t, const word_plan&,
                                                        std::uint16_t*, std::size_t) const noexcept;
template void count_tile::operator()<xsimd::avx512bw>(xsimd::avx512bw, const std::uint64_t*, std::size_t, std::size_t,
                                                 const std::uint64_t*, std::size_t, const word_plan&,
                                                 std::uint16_t*, std::size_t) const noexcept;
template std::size_t select_rows::operator()<xsimd::avx512bw>(xsimd::avx512bw, const std::uint16_t*, const std::uint16_t*, std::size_t,
                                                 std::uint16_t, std::uint32_t*) const noexcept;
template void link_bound::operator()<xsimd::avx512bw>(xsimd::avx512bw, const link_side&, std::size_t, const link_side&, std::size_t, std::size_t,
                                          const word_plan&, const std::uint16_t*, const std::uint16_t*, const std::uint16_t*, std::uint64_t, std::uint16_t*,
                                          std::size_t) const noexcept;

}  // namespace mtmatch::detail
