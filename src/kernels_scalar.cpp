// The scalar build of the matching kernels: the only place its instructions may appear.
#include "kernels_impl.hpp"

namespace mtmatch::detail {

template void count_shared_tile::operator()<scalar_arch>(scalar_arch, const std::uint64_t*, std::size_t, std::size_t,
                                                        const std::uint64_t*, std::size_t, const word_plan&,
                                                        std::uint16_t*, std::size_t) const noexcept;
template void count_tile::operator()<scalar_arch>(scalar_arch, const std::uint64_t*, std::size_t, std::size_t,
                                                 const std::uint64_t*, std::size_t, const word_plan&,
                                                 std::uint16_t*, std::size_t) const noexcept;
template std::size_t select_rows::operator()<scalar_arch>(scalar_arch, const std::uint16_t*, const std::uint16_t*, std::size_t,
                                                 std::uint16_t, std::uint32_t*) const noexcept;
template void link_bound::operator()<scalar_arch>(scalar_arch, const link_side&, std::size_t, const link_side&, std::size_t, std::size_t,
                                          const word_plan&, const std::uint16_t*, const std::uint16_t*, const std::uint16_t*, std::uint64_t, std::uint16_t*,
                                          std::size_t) const noexcept;

}  // namespace mtmatch::detail
