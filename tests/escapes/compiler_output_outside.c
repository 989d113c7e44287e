// tries: makes the compiler write outside the box through compiler_options: -o into /usr/local/share (the host's /usr, bound read-only), with -save-temps=obj to scatter intermediates there too
// allowed: 6
// why: the compile box's /usr is a read-only bind (EROFS) and Landlock allows writes only in /box and /tmp, so the linker cannot create its output: Compilation Error; the suite checks no jbxpwn file appears in the host's /usr/local/share
// layer: mount, landlock
// compiler_options: -save-temps=obj -o /usr/local/share/jbxpwn-gcc-out
int main(void) { return 0; }
