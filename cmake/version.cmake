# version.cmake: the one version of the kiro-stall tools, as packaged (cmake/package.cmake).
# The programs print their own (KIRO_PROXY_VERSION, STALLCHECK_VERSION, LOGRELAY_VERSION,
# FK_VERSION); tests/install fails when any of them differs from this one.
set(KIRO_STALL_VERSION 1.0.0)
