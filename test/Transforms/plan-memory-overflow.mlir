// RUN: not kcc-opt %s -p plan-memory 2>&1 | filecheck %s

// Three 1 MiB maps resident at once do not fit the 2 MiB KPU RAM.
// CHECK: kcc-opt: error: kpu.upload (#2): KPU RAM needs 3145728 bytes, 1048576 over the 2097152-byte limit; at the peak (%c) 3 values are live: %a 1048576 bytes, %b 1048576 bytes, %c 1048576 bytes (use a smaller input or fewer channels, or download a map to main RAM and run that layer on the CPU)
func.func @main(%x: tensor<1x512x32x64xui8>, %y: tensor<1x512x32x64xui8>, %z: tensor<1x512x32x64xui8>) -> (tensor<1x512x32x64xui8>, tensor<1x512x32x64xui8>, tensor<1x512x32x64xui8>) {
  %a = kpu.upload %x : tensor<1x512x32x64xui8> -> !kpu.ram<1x512x32x64xui8>
  %b = kpu.upload %y : tensor<1x512x32x64xui8> -> !kpu.ram<1x512x32x64xui8>
  %c = kpu.upload %z : tensor<1x512x32x64xui8> -> !kpu.ram<1x512x32x64xui8>
  %da = kpu.download %a : !kpu.ram<1x512x32x64xui8> -> tensor<1x512x32x64xui8>
  %db = kpu.download %b : !kpu.ram<1x512x32x64xui8> -> tensor<1x512x32x64xui8>
  %dc = kpu.download %c : !kpu.ram<1x512x32x64xui8> -> tensor<1x512x32x64xui8>
  func.return %da, %db, %dc : tensor<1x512x32x64xui8>, tensor<1x512x32x64xui8>, tensor<1x512x32x64xui8>
}
