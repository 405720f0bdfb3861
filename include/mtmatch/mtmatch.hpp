#pragma once
/// @file mtmatch.hpp
/// The one header users include.

#include "mtmatch/classify.hpp"
#include "mtmatch/compare.hpp"
#include "mtmatch/encode.hpp"
#include "mtmatch/error.hpp"
#include "mtmatch/isa.hpp"
#include "mtmatch/match.hpp"
#include "mtmatch/normalize.hpp"
#include "mtmatch/phylotree.hpp"
#include "mtmatch/reference.hpp"
#include "mtmatch/report.hpp"
#include "mtmatch/rewrite.hpp"
#include "mtmatch/score.hpp"
#include "mtmatch/simulate.hpp"
#include "mtmatch/vcf.hpp"
#include "mtmatch/version.hpp"
