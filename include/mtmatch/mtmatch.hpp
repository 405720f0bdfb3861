#pragma once
/// @file mtmatch.hpp
/// The one header users include.

#include "mtmatch/error.hpp"
#include "mtmatch/isa.hpp"
#include "mtmatch/reference.hpp"
#include "mtmatch/simulate.hpp"
#include "mtmatch/version.hpp"
