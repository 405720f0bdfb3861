#include <iostream>

#include <mtmatch/mtmatch.hpp>

int main() {
  std::cout << "rCRS length " << mtmatch::rcrs().length() << " (" << mtmatch::rcrs().name() << ")\n";
  return mtmatch::rcrs().length() == 16569 ? 0 : 1;
}
