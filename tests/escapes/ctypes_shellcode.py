# tries: machine code from Python: maps a writable and executable page with ctypes, writes i386 shellcode (int 0x80: getuid32, then exit 42) into it and calls it, to reach the 32-bit system call table from an interpreter
# allowed: 12
# why: the seccomp filter kills a call of the i386 architecture with SIGSYS, so the interpreter dies at the int 0x80: Runtime Error (Other), signal 31. Exit code 42 (NZEC) means the 32-bit table is open
# layer: seccomp
import ctypes
import mmap
import sys

code = bytes([
    0xB8, 0xC7, 0x00, 0x00, 0x00,  # mov eax, 199 (getuid32)
    0xCD, 0x80,                    # int 0x80
    0xB8, 0x01, 0x00, 0x00, 0x00,  # mov eax, 1 (exit)
    0xBB, 0x2A, 0x00, 0x00, 0x00,  # mov ebx, 42
    0xCD, 0x80,                    # int 0x80
    0xC3,                          # ret
])
page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
page.write(code)
address = ctypes.addressof(ctypes.c_char.from_buffer(page))
print("jumping into the shellcode", flush=True)
ctypes.CFUNCTYPE(ctypes.c_int)(address)()
print("ESCAPED the shellcode returned")
sys.exit(0)
